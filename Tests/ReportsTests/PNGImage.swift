// PNGImage: just enough of PNG to check a browser's screenshot: size, and the pixels of an
// 8-bit, non-interlaced greyscale/RGB/RGBA image (zlib via the system library).
import CZlib
import Reports
import Foundation

struct PNGImage {
    var width: Int
    var height: Int
    /// Bytes per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
    var channels: Int
    /// Unfiltered rows, `height × width × channels`.
    var pixels: [UInt8]

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count > 8, Array(bytes.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10] else { throw Failure(description: "\(url.path) is not a PNG") }
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var at = 8, idat: [UInt8] = []
        var depth = 0, colour = 0, interlace = 0
        width = 0; height = 0; channels = 0; pixels = []
        while at + 8 <= bytes.count {
            let length = u32(at), type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let body = Array(bytes[(at + 8)..<(at + 8 + length)])
            switch type {
            case "IHDR":
                width = u32(at + 8); height = u32(at + 12)
                depth = Int(body[8]); colour = Int(body[9]); interlace = Int(body[12])
            case "IDAT": idat += body
            default: break
            }
            at += 12 + length
        }
        guard depth == 8, interlace == 0, let c = [0: 1, 4: 2, 2: 3, 6: 4][colour] else {
            throw Failure(description: "unsupported PNG: depth \(depth), colour type \(colour), interlace \(interlace)")
        }
        channels = c
        let stride = width * c
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var size = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in idat.withUnsafeBufferPointer { uncompress(out.baseAddress, &size, $0.baseAddress, uLong($0.count)) } }
        guard status == Z_OK, Int(size) == raw.count else { throw Failure(description: "PNG data does not inflate to \(height) rows (zlib \(status))") }
        pixels = [UInt8](repeating: 0, count: stride * height)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let v = Int(raw[y * (stride + 1) + 1 + x])
                let a = x >= c ? Int(pixels[y * stride + x - c]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + x]) : 0
                let d = x >= c && y > 0 ? Int(pixels[(y - 1) * stride + x - c]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - d, pa = abs(p - a), pb = abs(p - b), pc = abs(p - d)
                    predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : d
                default: throw Failure(description: "bad PNG filter \(filter) in row \(y)")
                }
                pixels[y * stride + x] = UInt8((v + predicted) & 0xFF)
            }
        }
    }

    /// Distinct colours (first three channels) in a sample of every `step`-th pixel.
    func distinctColours(step: Int = 7) -> Int {
        var seen = Set<Int>()
        var i = 0
        while i < width * height {
            let p = i * channels
            seen.insert(channels >= 3 ? Int(pixels[p]) << 16 | Int(pixels[p + 1]) << 8 | Int(pixels[p + 2]) : Int(pixels[p]))
            i += step
        }
        return seen.count
    }
}

extension PNGImage {
    /// Decodes PNG bytes (through a temporary file, the way screenshots arrive).
    init(bytes: [UInt8]) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        try self.init(contentsOf: url)
    }
}

/// What our writer wrote, read back by the independent decoder above.
func decode(_ png: PNGWriter) throws -> PNGImage { try PNGImage(bytes: png.encoded()) }
