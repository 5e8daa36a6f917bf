// PNGWriter: 8-bit greyscale or RGB PNG files, written on the system zlib (deflate and CRC-32).
// Why not a library: the Swift mirror has no maintained PNG encoder that builds on Linux without
// Foundation's image stack, and the format for our needs (one IHDR, one IDAT of filter-0 rows,
// IEND) is a page of code over zlib, which we already link for gzip'd IDX files.
import CZlib
import Foundation

public struct PNGWriter: Sendable {
    public enum Colour: UInt8, Sendable {
        case grey = 0
        case rgb = 2
        var channels: Int { self == .grey ? 1 : 3 }
    }

    public var width: Int
    public var height: Int
    public var colour: Colour
    /// `height × width × channels` bytes, row by row, top row first.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, colour: Colour = .grey, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * colour.channels,
                     "PNG \(width)×\(height) \(colour) needs \(width * height * colour.channels) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.colour = colour
        self.pixels = pixels
    }

    /// The PNG file's bytes.
    public func encoded() -> [UInt8] {
        let rowBytes = width * colour.channels
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter type 0 (none): deflate does well on these small, flat images
            raw.append(contentsOf: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var header = [UInt8]()
        Self.append32(UInt32(width), to: &header)
        Self.append32(UInt32(height), to: &header)
        header += [8, colour.rawValue, 0, 0, 0]  // bit depth 8, colour type, deflate, filter 0, no interlace
        var out: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        Self.chunk("IHDR", header, into: &out)
        Self.chunk("IDAT", Self.deflate(raw), into: &out)
        Self.chunk("IEND", [], into: &out)
        return out
    }

    /// `encoded()` as a `data:` URI, for an `<img>` in the self-contained report.
    public func dataURI() -> String {
        "data:image/png;base64," + Data(encoded()).base64EncodedString()
    }

    /// Writes the file (atomically).
    public func write(to url: URL) throws {
        try Data(encoded()).write(to: url, options: .atomic)
    }

    static func append32(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func chunk(_ type: String, _ body: [UInt8], into out: inout [UInt8]) {
        append32(UInt32(body.count), to: &out)
        let typed = Array(type.utf8) + body
        out += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        append32(UInt32(crc), to: &out)
    }

    /// A zlib stream (what IDAT holds) of `input`, at the best compression.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in compress2(out.baseAddress, &length, inp.baseAddress, uLong(inp.count), Z_BEST_COMPRESSION) }
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")  // only on out-of-memory: the bound is exact
        return Array(output.prefix(Int(length)))
    }
}

extension PNGWriter {
    /// A grid of equally sized tiles (examples, filters), `columns` wide, with `gap` pixels of
    /// `background` between tiles and around them. Each tile holds `tileHeight × tileWidth` pixels
    /// of `colour`'s channels (1 byte grey, 3 bytes RGB), row by row; `scale` repeats each pixel
    /// (nearest neighbour) to make small tiles visible.
    public static func grid(tiles: [[UInt8]], tileWidth: Int, tileHeight: Int, columns: Int, scale: Int = 1,
                            gap: Int = 1, background: UInt8 = 255, colour: Colour = .grey) -> PNGWriter {
        precondition(!tiles.isEmpty && columns > 0 && scale > 0)
        let c = colour.channels
        let cols = min(columns, tiles.count), rows = (tiles.count + cols - 1) / cols
        let tw = tileWidth * scale, th = tileHeight * scale
        let width = cols * tw + (cols + 1) * gap, height = rows * th + (rows + 1) * gap
        var pixels = [UInt8](repeating: background, count: width * height * c)
        for (t, tile) in tiles.enumerated() {
            precondition(tile.count == tileWidth * tileHeight * c, "tile \(t) has \(tile.count) bytes, expected \(tileWidth * tileHeight * c)")
            let x0 = gap + (t % cols) * (tw + gap), y0 = gap + (t / cols) * (th + gap)
            for y in 0..<th {
                let source = (y / scale) * tileWidth, row = (y0 + y) * width + x0
                for x in 0..<tw {
                    for k in 0..<c { pixels[(row + x) * c + k] = tile[(source + x / scale) * c + k] }
                }
            }
        }
        return PNGWriter(width: width, height: height, colour: colour, pixels: pixels)
    }

    /// Floats mapped linearly to 0…255 over [low, high] (clamped), for drawing tensors.
    public static func bytes(_ values: [Float], low: Float, high: Float) -> [UInt8] {
        let span = high > low ? high - low : 1
        return values.map { v in
            guard v.isFinite else { return 0 }
            return UInt8(max(0, min(255, ((v - low) / span * 255).rounded())))
        }
    }
}
