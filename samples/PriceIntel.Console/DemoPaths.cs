using PriceIntel.Shared;

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
            throw new DemoFileException($"cannot create directory '{full}' ({option}): {PathCreationFailure.Reason(full, ex, directory: true)}", ex);
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
            throw new DemoFileException($"cannot create file '{full}' ({option}): {PathCreationFailure.Reason(full, ex, directory: false)}", ex);
        }
    }
}

/// <summary>A file or directory error (exit code 1); the message names the path and the option.</summary>
internal sealed class DemoFileException(string message, Exception inner) : IOException(message, inner);
