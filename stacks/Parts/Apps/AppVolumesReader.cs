using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Apps;

/// <summary>Reads an app's <c>volumes</c>: each one's name, mount path, expected size and whether its instances share it.</summary>
internal static class AppVolumesReader
{
    public static System.Collections.Immutable.ImmutableArray<string> VolumeKeys => AppSchema.Volume.Keys;

    public static ImmutableArray<VolumeSettings> Read(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key)
    {
        var volumes = ImmutableArray.CreateBuilder<VolumeSettings>();
        foreach (var (volumeNode, vk) in r.Sequence(m.GetValueOrDefault("volumes"), $"{key}.volumes",
                     "Write each volume as '- { name: uploads, mountPath: /var/www/html/wp-content, sizeGb: 10 }'."))
        {
            var vm = r.Mapping(volumeNode, vk, VolumeKeys);
            if (r.Required(vm, "name", vk, "Name the volume, e.g. 'name: uploads'.", out var volumeName) && !Names.IsAppName(volumeName))
                r.Error($"{vk}.name", $"'{volumeName}' is not a valid volume name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'uploads'.");
            if (r.Required(vm, "mountPath", vk, "Give the absolute path inside the container, e.g. 'mountPath: /var/www/html/wp-content'.", out var mountPath)
                && (!Names.IsPathPrefix(mountPath) || mountPath == "/" || mountPath.Contains(':', StringComparison.Ordinal)))
                r.Error($"{vk}.mountPath", $"'{mountPath}' is not an absolute path.", "Start it with '/', without a trailing '/', spaces, ':' or '//', e.g. /app/uploads.");
            if (!vm.ContainsKey("sizeGb")) r.Error($"{vk}.sizeGb", "is required: the disk the volume is expected to take.", "Add e.g. 'sizeGb: 10'.");
            var sizeGb = r.Int(vm.GetValueOrDefault("sizeGb"), $"{vk}.sizeGb", 1, 1, 10_000);
            var shared = r.Flag(vm, "shared", vk);
            volumes.Add(new VolumeSettings(volumeName, mountPath, sizeGb, shared));
        }
        return volumes.ToImmutable();
    }
}
