// Shared source: compiled into the SQLite store (the store directory and lock file) and the console demo (--out,
// --record, train --out) through a Compile Include in their project files, so both explain a path they cannot
// create the same way.
namespace PriceIntel.Shared;

// <summary>
// Why creating a file or directory failed, in words a user can act on. The runtime says "Could not find file
// '/proc/x'" for a directory that cannot be made under a virtual or read-only file system, and "Could not
// find a part of the path" when a file stands where a directory should be.
// </summary>
internal static class PathCreationFailure
{
    // <summary>The reason creating <paramref name="full"/> (a directory when <paramref name="directory"/>) failed with <paramref name="failure"/>.</summary>
    public static string Reason(string full, Exception failure, bool directory)
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
