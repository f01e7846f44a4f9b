using System.IO.Compression;
using SkiaSharp;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>Small images and archives made by the tests themselves.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height, byte shade)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(shade, (byte)(255 - shade), 90));
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }

    public static byte[] Jpeg(int width, int height, byte shade)
    {
        using var bitmap = new SKBitmap(width, height);
        var random = new Random(shade);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), shade, (byte)random.Next(256)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();
    }

    /// <summary>A valid PNG header announcing <paramref name="width"/>×<paramref name="height"/> pixels, with almost no data: a decompression bomb.</summary>
    public static byte[] PngBombHeader(int width, int height)
    {
        var png = Png(4, 4, 10);
        var copy = (byte[])png.Clone();
        // IHDR width/height are big-endian at offsets 16 and 20; the chunk CRC follows at 29.
        WriteBigEndian(copy, 16, width);
        WriteBigEndian(copy, 20, height);
        var crc = Crc32(copy.AsSpan(12, 17));
        WriteBigEndian(copy, 29, (int)crc);
        return copy;
    }

    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                stream.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    private static void WriteBigEndian(byte[] target, int offset, int value)
    {
        target[offset] = (byte)(value >> 24);
        target[offset + 1] = (byte)(value >> 16);
        target[offset + 2] = (byte)(value >> 8);
        target[offset + 3] = (byte)value;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
