using System.Text;
using CoConstruisons.Cli;
using CoConstruisons.Cli.Csv;

namespace CoConstruisons.Cli.Tests;

public class CsvReaderTests
{
    [Fact]
    public void Quoted_fields_may_hold_commas_quotes_and_line_breaks()
    {
        var table = CsvReader.Parse("a.csv", "item,worker,label\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nplain,w,l\n");

        Assert.Equal(["item", "worker", "label"], table.Header);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], table.Rows[0].Fields);
        Assert.Equal((2, 4), (table.Rows[0].Line, table.Rows[1].Line));
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_and_blank_lines_ignored()
    {
        var text = CsvReader.Decode("a.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("item,label\n\nx,1\n")]);

        var table = CsvReader.Parse("a.csv", text);

        Assert.Equal("item", table.Header[0]);
        Assert.Single(table.Rows);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("item,label\n\"x,1\n", "line 2: a quoted field is never closed")]
    [InlineData("item,label\nx,1,2\n", "line 2: 3 field(s) where the header has 2")]
    [InlineData("item,label\nx\"y,1\n", "line 2: a quote inside an unquoted field")]
    [InlineData("item,label\n\"x\"y,1\n", "line 2: unexpected character 'y' after a closing quote")]
    public void Malformed_csv_gets_a_message_naming_the_line(string text, string expected)
    {
        using var english = UiCulture.Use(UiCulture.English);
        var error = Assert.Throws<CliException>(() => CsvReader.Parse("a.csv", text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_bytes_are_refused_naming_the_line()
    {
        using var english = UiCulture.Use(UiCulture.English);
        byte[] latin1 = [.. Encoding.ASCII.GetBytes("item,label\nx,1\ncaf"), 0xE9, .. Encoding.ASCII.GetBytes(",2\n")];

        var error = Assert.Throws<CliException>(() => CsvReader.Decode("a.csv", latin1));

        Assert.Contains("line 3: the file is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_given_as_the_file_is_named_as_a_folder()
    {
        using var english = UiCulture.Use(UiCulture.English);
        var folder = Directory.CreateTempSubdirectory("coco-csv-").FullName;
        try
        {
            var error = Assert.Throws<CliException>(() => CsvReader.ReadFile(folder));
            Assert.Contains("is a folder", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    public void Fields_are_quoted_on_writing_only_when_needed(string field, string written) =>
        Assert.Equal(written, CsvReader.Escape(field));
}
