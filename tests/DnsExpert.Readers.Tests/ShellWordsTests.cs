using System.Diagnostics;
using DnsExpert.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

/// <summary>A quoted value is read back by a real POSIX shell as exactly the one word it was.</summary>
public sealed class ShellWordsTests
{
    private static Arbitrary<string> ShellText() =>
        Gen.Elements('\'', '"', '\\', '$', '`', ';', '|', '&', '<', '>', '(', ')', '*', '?', '[', '{', '}', '~', '#', '=', '%', '!',
                '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u202e', ' ', 'a', 'Z', '0', '-', '.', 'é')
            .ArrayOf()
            .Select(chars => new string(chars))
            .ToArbitrary();

    [Property(MaxTest = 60)]
    public Property Sh_reads_a_quoted_value_back_as_one_word_equal_to_the_clean_value() =>
        Prop.ForAll(ShellText(), value =>
        {
            // Each word on a line of its own between markers: one word in, one line out, nothing run.
            var script = "printf '<%s>\\n' " + ShellWords.Quote(value);
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            using var sh = Process.Start(start)!;
            var output = sh.StandardOutput.ReadToEnd();
            sh.WaitForExit();
            return output == "<" + DisplayText.Line(value) + ">\n" && sh.ExitCode == 0;
        });

    [Property(MaxTest = 200)]
    public Property Split_reads_quoted_values_back_as_the_words_they_were() =>
        Prop.ForAll(ShellText().Generator.ArrayOf().ToArbitrary(), values =>
            ShellWords.Split(string.Join(' ', values.Select(ShellWords.Quote))).SequenceEqual(values.Select(DisplayText.Line), StringComparer.Ordinal));

    /// <summary>A pasted command's words as sh takes them: a quoted selector is one word, an unquoted command splits at blanks as before.</summary>
    [Theory]
    [InlineData("kubectl logs -n kube-system -l 'k8s-app in (kube-dns,coredns)' --prefix", "kubectl|logs|-n|kube-system|-l|k8s-app in (kube-dns,coredns)|--prefix")]
    [InlineData("kubectl  get\tpods -o json", "kubectl|get|pods|-o|json")]
    [InlineData("kubectl exec web -- sh -c 'nc -zvv -w 3 $H $P'", "kubectl|exec|web|--|sh|-c|nc -zvv -w 3 $H $P")]
    [InlineData("echo \"a \\\"b\\\" $c\" d\\ e 'f", "echo|a \"b\" $c|d e|f")]
    [InlineData("", "")]
    public void Split_takes_a_command_line_apart_as_sh_does(string command, string words) =>
        Assert.Equal(words.Length == 0 ? [] : words.Split('|'), ShellWords.Split(command));

    [Fact]
    public void Display_text_drops_controls_and_bidi_overrides_and_keeps_lines_only_in_blocks()
    {
        const string Hostile = "a\u001b[31mb\u0007c\rd\r\ne\nf\u202eg\u2066h\u007fi\u0085j\tk";
        Assert.Equal("a[31mbc d  e fghij k", DisplayText.Line(Hostile));
        Assert.Equal("a[31mbc\nd\ne\nfghij\tk", DisplayText.Block(Hostile));
        Assert.Same("plain text", DisplayText.Line("plain text"));
    }
}
