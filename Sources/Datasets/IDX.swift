// IDX: the MNIST file format (big-endian header: 0x0000 · type · rank, then rank u32 dims, then
// the data), gzip-compressed or plain. Reads unsigned-byte images and labels.
import Foundation

public enum IDX {
    /// A decoded IDX array of unsigned bytes.
    public struct Array: Sendable {
        public var shape: [Int]
        public var bytes: [UInt8]
    }

    /// Reads an unsigned-byte IDX file of `rank` dimensions (3 for images, 1 for labels).
    public static func read(_ path: String, rank expectedRank: Int) throws -> Array {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.missingFile(path: path, hint: "Install the data (e.g. `apt-get install dataset-fashion-mnist`) or fix the path.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        var bytes = [UInt8](data)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, source: path) }
        guard bytes.count >= 4 else { throw DatasetError.truncated(path: path, reason: "\(bytes.count) bytes, no IDX header") }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        // 0x08 = unsigned byte; low byte = rank.
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, Int(bytes[3]) == expectedRank else {
            throw DatasetError.badMagic(path: path, found: magic,
                                        expected: String(format: "0x%08x (unsigned bytes, rank %d)", 0x0800 | expectedRank))
        }
        let headerSize = 4 + 4 * expectedRank
        guard bytes.count >= headerSize else {
            throw DatasetError.truncated(path: path, reason: "header needs \(headerSize) bytes, file has \(bytes.count)")
        }
        var shape: [Int] = []
        for d in 0..<expectedRank {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let count = shape.reduce(1, *)
        guard bytes.count >= headerSize + count else {
            throw DatasetError.truncated(path: path, reason: "shape \(shape) needs \(headerSize + count) bytes, file has \(bytes.count)")
        }
        return Array(shape: shape, bytes: Swift.Array(bytes[headerSize..<(headerSize + count)]))
    }
}
