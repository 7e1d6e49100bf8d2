namespace PriceIntel.ConsoleDemo;

/// <summary>
/// Creates the demo's directories and output files, and turns the runtime's failures (which say "Could not
/// find file '/proc/x'" for a directory that cannot be made) into one line naming the path, the option and
/// the reason.
/// </summary>
internal static class DemoPaths
{
    /// <summary>Creates <paramref name="path"/> and its parents if missing; returns its full path.</summary>
    /// <exception cref="DemoFileException">The directory cannot be created; the message names the path, the option and why.</exception>
    public static string CreateDirectory(string path, string option)
    {
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            return full;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DemoFileException($"cannot create directory '{full}' ({option}): {Reason(full, ex, directory: true)}", ex);
        }
    }

    /// <summary>Runs <paramref name="create"/> (which creates the file at <paramref name="path"/>) and names the path, the option and the reason when it fails.</summary>
    /// <exception cref="DemoFileException">The file cannot be created.</exception>
    public static T CreateFile<T>(string path, string option, Func<string, T> create)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return create(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DemoFileException($"cannot create file '{full}' ({option}): {Reason(full, ex, directory: false)}", ex);
        }
    }

    /// <summary>Why creating <paramref name="full"/> failed, in words a user can act on.</summary>
    internal static string Reason(string full, Exception failure, bool directory)
    {
        if (failure is UnauthorizedAccessException)
        {
            return "permission denied";
        }

        if (directory && File.Exists(full))
        {
            return "a file of that name exists";
        }

        if (!directory && Directory.Exists(full))
        {
            return "a directory of that name exists";
        }

        // The nearest ancestor that exists tells a file in the way from a file system that refuses new entries.
        string? ancestor = Path.GetDirectoryName(full);
        while (ancestor is not null && !Directory.Exists(ancestor) && !File.Exists(ancestor))
        {
            ancestor = Path.GetDirectoryName(ancestor);
        }

        if (ancestor is not null && File.Exists(ancestor))
        {
            return $"'{ancestor}' is a file, not a directory";
        }

        if (failure is FileNotFoundException or DirectoryNotFoundException && ancestor is not null)
        {
            return $"the file system at '{ancestor}' does not allow creating it (a virtual or read-only file system?)";
        }

        return failure.Message.ReplaceLineEndings(" ");
    }
}

/// <summary>A file or directory error (exit code 1); the message names the path and the option.</summary>
internal sealed class DemoFileException(string message, Exception inner) : IOException(message, inner);
