using DnsExpert.Rendering.Escaping;

namespace DnsExpert.Rendering.Tests;

/// <summary>Cluster text in Markdown: a link, an image or a link definition in a value stays text; brackets that link nothing read as they are.</summary>
public sealed class MarkdownTextTests
{
    [Theory]
    [InlineData("[click](http://evil/x)", "[click\\](http[:]//evil/x)")]
    [InlineData("![pixel](http://evil/y.png)", "![pixel\\](http[:]//evil/y.png)")]
    [InlineData("[a][ref] and [ref]: http://evil", "[a\\][ref] and [ref\\]: http[:]//evil")]
    [InlineData("[INFO] plugin/reload: Running configuration SHA512 = 1", "[INFO] plugin/reload: Running configuration SHA512 = 1")]
    [InlineData("C:\\dir\\](x)", "C:\\\\dir\\\\\\](x)")]
    public void A_value_never_links(string value, string expected) =>
        Assert.Equal(expected, MarkdownText.Inline(value));

    [Fact]
    public void A_cell_escapes_a_backslash_once_so_a_pipe_or_a_bracket_cannot_come_back()
    {
        Assert.Equal("a \\\\\\| b", MarkdownText.Cell("a \\| b"));
        Assert.Equal("x\\\\\\](y)", MarkdownText.Cell("x\\](y)"));
    }

    [Fact]
    public void A_line_that_would_define_a_link_stays_a_paragraph() =>
        Assert.Equal("[x\\]: http[:]//evil \"title\"", MarkdownText.Paragraph("[x]: http://evil \"title\""));
}
