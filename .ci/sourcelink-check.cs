// Checks a packed PriceIntel package's symbols: the .snupkg holds a portable pdb per assembly whose SourceLink map
// (custom debug information) sends every source document to the repository at the packed commit, and the .nupkg's
// .nuspec names the same repository and commit. Run by .ci/check-sourcelink (which packs in a clone with a remote):
//   dotnet run --file .ci/sourcelink-check.cs -- <package.nupkg> <package.snupkg> <repository url> <commit>
// Exit code 0: all good; 1: a check failed (each failure printed); 2: bad arguments.
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Xml.Linq;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: sourcelink-check.cs <package.nupkg> <package.snupkg> <repository url> <commit>");
    return 2;
}

string nupkg = args[0];
string snupkg = args[1];
string repositoryUrl = args[2].TrimEnd('/');
string commit = args[3];
var failures = new List<string>();

// GitHub's SourceLink provider maps https://github.com/owner/repo to raw.githubusercontent.com/owner/repo/<commit>/.
var repository = new Uri(repositoryUrl);
if (!string.Equals(repository.Host, "github.com", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"RepositoryUrl '{repositoryUrl}' is not a github.com URL; this check knows GitHub's raw-content form only");
    return 2;
}

string expectedPrefix = $"https://raw.githubusercontent.com{repository.AbsolutePath.TrimEnd('/')}/{commit}/";

using (var package = ZipFile.OpenRead(nupkg))
{
    var nuspecEntry = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
    using var nuspecStream = nuspecEntry.Open();
    var nuspec = XDocument.Load(nuspecStream);
    var repositoryElement = nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == "repository");
    string? url = repositoryElement?.Attribute("url")?.Value;
    string? packedCommit = repositoryElement?.Attribute("commit")?.Value;
    if (!string.Equals(url?.TrimEnd('/'), repositoryUrl, StringComparison.Ordinal))
    {
        failures.Add($"{nuspecEntry.FullName}: <repository url> is '{url ?? "(none)"}', expected '{repositoryUrl}'");
    }

    if (!string.Equals(packedCommit, commit, StringComparison.Ordinal))
    {
        failures.Add($"{nuspecEntry.FullName}: <repository commit> is '{packedCommit ?? "(none)"}', expected '{commit}'");
    }
}

// The SourceLink custom debug information kind (Portable PDB specification).
var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
int pdbs = 0;
using (var symbols = ZipFile.OpenRead(snupkg))
{
    foreach (var entry in symbols.Entries.Where(e => e.FullName.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase)))
    {
        pdbs++;
        using var pdbStream = new MemoryStream();
        using (var compressed = entry.Open())
        {
            compressed.CopyTo(pdbStream);
        }

        pdbStream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdbStream);
        var reader = provider.GetMetadataReader();
        string? json = null;
        foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == sourceLinkKind)
            {
                json = System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        if (json is null)
        {
            failures.Add($"{entry.FullName}: no SourceLink map (the pdb was built without a git remote, or SourceLink is off)");
            continue;
        }

        // {"documents": {"/local/root/*": "https://raw.githubusercontent.com/owner/repo/<commit>/*", ...}}
        var map = new List<(string Local, string Remote)>();
        using (var document = JsonDocument.Parse(json))
        {
            foreach (var pair in document.RootElement.GetProperty("documents").EnumerateObject())
            {
                map.Add((pair.Name, pair.Value.GetString() ?? ""));
            }
        }

        foreach (var (local, remote) in map.Where(m => !m.Remote.StartsWith(expectedPrefix, StringComparison.Ordinal)))
        {
            failures.Add($"{entry.FullName}: SourceLink maps '{local}' to '{remote}', not under '{expectedPrefix}'");
        }

        // Every source document of the pdb that is not embedded must be covered by the map, or a debugger cannot fetch it.
        var embedded = new HashSet<DocumentHandle>();
        var embeddedKind = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
        foreach (var handle in reader.CustomDebugInformation)
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (information.Parent.Kind == HandleKind.Document && reader.GetGuid(information.Kind) == embeddedKind)
            {
                embedded.Add((DocumentHandle)information.Parent);
            }
        }

        int linked = 0;
        foreach (var handle in reader.Documents)
        {
            string name = reader.GetString(reader.GetDocument(handle).Name);
            bool covered = map.Any(m => m.Local.EndsWith('*') ? name.StartsWith(m.Local[..^1], StringComparison.Ordinal) : name == m.Local);
            if (covered)
            {
                linked++;
            }
            else if (!embedded.Contains(handle))
            {
                failures.Add($"{entry.FullName}: source document '{name}' is neither in the SourceLink map nor embedded");
            }
        }

        if (linked == 0)
        {
            failures.Add($"{entry.FullName}: the SourceLink map covers none of the pdb's {reader.Documents.Count} documents");
        }
        else
        {
            Console.WriteLine($"{entry.FullName}: {linked} source documents linked to {expectedPrefix}");
        }
    }
}

if (pdbs == 0)
{
    failures.Add($"{snupkg}: no .pdb inside");
}

foreach (string failure in failures)
{
    Console.Error.WriteLine($"SourceLink check failed: {failure}");
}

return failures.Count == 0 ? 0 : 1;
