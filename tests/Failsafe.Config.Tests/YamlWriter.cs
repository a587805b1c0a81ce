using Failsafe.Config.Writing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Failsafe.Config.Tests;

/// <summary>Writes a <see cref="YamlMap"/> tree as YAML text with YamlDotNet's emitter, which quotes what needs quoting.</summary>
internal static class YamlWriter
{
    public static string Write(YamlMap root)
    {
        var text = new StringWriter();
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, object node)
    {
        switch (node)
        {
            case YamlMap map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    emitter.Emit(new Scalar(key));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case IReadOnlyList<string> list:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Flow));
                foreach (var item in list)
                {
                    emitter.Emit(new Scalar(item));
                }

                emitter.Emit(new SequenceEnd());
                break;
            case string text:
                emitter.Emit(new Scalar(text));
                break;
        }
    }
}
