// Gzip: whole-file decompression through zlib (gzip or plain input, detected by magic bytes).
import CZlib
import Foundation

public enum Gzip {
    /// True when `bytes` begin with gzip's magic number.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip stream (concatenated members allowed). Throws on a corrupt or truncated stream.
    public static func decompress(_ input: [UInt8], source: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: expect a gzip header.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.corrupt(path: source, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 4)
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inp in
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            stream.avail_in = uInt(inp.count)
            repeat {
                status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                output.append(contentsOf: buffer[0..<produced])
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    // Another gzip member follows.
                    guard inflateReset(&stream) == Z_OK else { break }
                    status = Z_OK
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { break }
                if status != Z_OK && status != Z_STREAM_END {
                    throw DatasetError.corrupt(path: source, reason: "gzip data is corrupt (zlib status \(status))")
                }
            } while status != Z_STREAM_END
        }
        if status != Z_STREAM_END {
            throw DatasetError.truncated(path: source, reason: "gzip stream ends early (\(input.count) bytes read)")
        }
        return output
    }
}
