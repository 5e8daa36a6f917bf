// NPZ: NumPy's `.npz` archives (numpy.savez / savez_compressed): a zip file whose members are
// `.npy` files named after their keys (`x.npy`, `y.npy`, …), stored or deflated. The zip central
// directory is read here (Zip64 sizes and offsets included, as NumPy writes them); members are
// inflated with zlib's raw inflate and checked against their CRC-32. `archive` writes one.
import CZlib
import Foundation

public struct NPZArchive: Sendable {
    /// One member as the central directory describes it.
    public struct Member: Sendable, Equatable {
        public var name: String
        /// 0: stored; 8: deflated.
        public var method: Int
        public var crc32: UInt32
        public var compressedSize: Int
        public var size: Int
        public var localHeaderOffset: Int
    }

    public let path: String
    public let members: [Member]
    private let bytes: [UInt8]

    /// The keys of the `.npy` members (`x` for `x.npy`), in archive order.
    public var keys: [String] { members.map(\.name).filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) } }

    /// Opens the archive at `path` and reads its central directory.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DatasetError.missingFile(path: path, hint: "Check data.source.npz.path in the sweep file.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Reads the central directory of zip `bytes`; `path` names them in errors.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        self.bytes = bytes
        members = try Self.centralDirectory(bytes, path: path)
    }

    /// True when the archive has `key.npy`.
    public func contains(_ key: String) -> Bool { members.contains { $0.name == key + ".npy" } }

    /// The array stored as `key.npy`; `missingMember` (listing the keys found) when there is none.
    public func array(_ key: String) throws -> NPYArray {
        guard let member = members.first(where: { $0.name == key + ".npy" }) else {
            throw DatasetError.missingMember(path: path, member: key, found: keys)
        }
        return try NPY.parse(try contents(of: member), source: "\(path):\(member.name)")
    }

    /// The member's bytes, inflated when deflated, checked against its CRC-32.
    public func contents(of member: Member) throws -> [UInt8] {
        let source = "\(path):\(member.name)"
        let o = member.localHeaderOffset
        guard o >= 0, o + 30 <= bytes.count else {
            throw DatasetError.truncated(path: path, reason: "member \(member.name) starts beyond the end of the file")
        }
        guard Self.u32(bytes, o) == 0x0403_4b50 else {
            throw DatasetError.corrupt(path: path, reason: "member \(member.name) has no local header at offset \(o)")
        }
        let start = o + 30 + Int(Self.u16(bytes, o + 26)) + Int(Self.u16(bytes, o + 28))
        guard start + member.compressedSize <= bytes.count else {
            throw DatasetError.truncated(path: path, reason: "member \(member.name) needs \(member.compressedSize) bytes from offset \(start), "
                                         + "the file has \(bytes.count)")
        }
        let raw = Array(bytes[start..<(start + member.compressedSize)])
        let out: [UInt8]
        switch member.method {
        case 0: out = raw
        case 8: out = try Self.inflateRaw(raw, expectedSize: member.size, source: source)
        default:
            throw DatasetError.corrupt(path: path, reason: "member \(member.name) uses zip compression method \(member.method); "
                                       + "only stored (0) and deflated (8) are read (write it with numpy.savez or savez_compressed)")
        }
        guard out.count == member.size else {
            throw DatasetError.corrupt(path: path, reason: "member \(member.name) inflates to \(out.count) bytes, not \(member.size)")
        }
        let crc = out.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
        guard crc == member.crc32 else {
            throw DatasetError.corrupt(path: path, reason: "member \(member.name) fails its CRC-32 check")
        }
        return out
    }

    // MARK: Zip structures

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32 }

    static func centralDirectory(_ b: [UInt8], path: String) throws -> [Member] {
        // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
        guard b.count >= 22 else {
            if b.count >= 4 && u32(b, 0) == 0x0403_4b50 { throw DatasetError.truncated(path: path, reason: "the zip archive ends early") }
            throw DatasetError.corrupt(path: path, reason: "not a zip archive (write it with numpy.savez)")
        }
        var eocd = -1
        var i = b.count - 22
        while i >= max(0, b.count - 22 - 65535) {
            if b[i] == 0x50 && u32(b, i) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            let zip = u32(b, 0) == 0x0403_4b50
            throw zip ? DatasetError.truncated(path: path, reason: "the zip archive has no central directory (it ends early)")
                : DatasetError.corrupt(path: path, reason: "not a zip archive (write it with numpy.savez)")
        }
        var count = Int(u16(b, eocd + 10))
        var cdSize = Int(u32(b, eocd + 12))
        var cdOffset = Int(u32(b, eocd + 16))
        // Zip64: a locator just before the record points at the Zip64 end record.
        if eocd >= 20, u32(b, eocd - 20) == 0x0706_4b50 {
            let z = Int(u64(b, eocd - 12))
            guard z >= 0, z + 56 <= b.count, u32(b, z) == 0x0606_4b50 else {
                throw DatasetError.corrupt(path: path, reason: "the Zip64 end record is missing")
            }
            count = Int(u64(b, z + 32))
            cdSize = Int(u64(b, z + 40))
            cdOffset = Int(u64(b, z + 48))
        }
        guard cdOffset >= 0, cdSize >= 0, cdOffset + cdSize <= b.count else {
            throw DatasetError.truncated(path: path, reason: "the central directory lies beyond the end of the file")
        }
        var members: [Member] = []
        var o = cdOffset
        for _ in 0..<count {
            guard o + 46 <= b.count, u32(b, o) == 0x0201_4b50 else {
                throw DatasetError.corrupt(path: path, reason: "central directory entry \(members.count) is damaged")
            }
            let flags = u16(b, o + 8)
            let method = Int(u16(b, o + 10))
            let crc = u32(b, o + 16)
            var compressed = UInt64(u32(b, o + 20)), size = UInt64(u32(b, o + 24))
            let nameLength = Int(u16(b, o + 28)), extraLength = Int(u16(b, o + 30)), commentLength = Int(u16(b, o + 32))
            var offset = UInt64(u32(b, o + 42))
            guard o + 46 + nameLength + extraLength + commentLength <= b.count else {
                throw DatasetError.truncated(path: path, reason: "the central directory ends early")
            }
            let name = String(decoding: b[(o + 46)..<(o + 46 + nameLength)], as: UTF8.self)
            // Zip64 extra field (0x0001): the 64-bit values of the fields set to 0xFFFFFFFF, in order.
            var e = o + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(b, e), len = Int(u16(b, e + 2))
                if id == 0x0001 {
                    var p = e + 4
                    if size == 0xFFFF_FFFF, p + 8 <= e + 4 + len { size = u64(b, p); p += 8 }
                    if compressed == 0xFFFF_FFFF, p + 8 <= e + 4 + len { compressed = u64(b, p); p += 8 }
                    if offset == 0xFFFF_FFFF, p + 8 <= e + 4 + len { offset = u64(b, p); p += 8 }
                }
                e += 4 + len
            }
            if flags & 1 != 0 {
                throw DatasetError.corrupt(path: path, reason: "member \(name) is encrypted")
            }
            guard compressed < UInt64(Int.max), size < UInt64(Int.max), offset < UInt64(Int.max) else {
                throw DatasetError.corrupt(path: path, reason: "member \(name) has impossible sizes")
            }
            members.append(Member(name: name, method: method, crc32: crc, compressedSize: Int(compressed), size: Int(size),
                                  localHeaderOffset: Int(offset)))
            o += 46 + nameLength + extraLength + commentLength
        }
        return members
    }

    /// Inflates a raw deflate stream (no zlib or gzip header), as zip stores it.
    static func inflateRaw(_ input: [UInt8], expectedSize: Int, source: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.corrupt(path: source, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(expectedSize, 1))
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                status = inflate(&stream, Z_FINISH)
            }
        }
        let produced = Int(stream.total_out)
        if status == Z_STREAM_END { return Array(output[0..<produced]) }
        if status == Z_BUF_ERROR && stream.avail_in == 0 {
            throw DatasetError.truncated(path: source, reason: "the deflated member ends early (\(produced) of \(expectedSize) bytes)")
        }
        if status == Z_BUF_ERROR || status == Z_OK {
            throw DatasetError.corrupt(path: source, reason: "the member inflates to more than its recorded \(expectedSize) bytes")
        }
        throw DatasetError.corrupt(path: source, reason: "deflated data is corrupt (zlib status \(status))")
    }

    // MARK: Writing

    /// A zip archive of `members` (name, bytes), each deflated or stored: what numpy.savez_compressed
    /// or numpy.savez write, for tests and tools.
    public static func archive(_ members: [(name: String, bytes: [UInt8])], deflate: Bool) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        for (name, data) in members {
            let crc = data.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
            let body = deflate ? deflateRaw(data) : data
            let nameBytes = Array(name.utf8)
            let method = deflate ? 8 : 0
            let offset = out.count
            let common = le16(20) + le16(0) + le16(method) + le16(0) + le16(0x21) + le32(crc)
                + le32(UInt32(body.count)) + le32(UInt32(data.count)) + le16(nameBytes.count) + le16(0)
            out += le32(0x0403_4b50) + common + nameBytes + body
            central += le32(0x0201_4b50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(UInt32(offset)) + nameBytes
        }
        let cdOffset = out.count
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(UInt32(central.count)) + le32(UInt32(cdOffset)) + le16(0)
        return out
    }

    /// A raw deflate stream of `input` (zlib level 6, no header).
    static func deflateRaw(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK, "zlib could not start")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate did not finish (status \(status))")
            }
        }
        return Array(output[0..<Int(stream.total_out)])
    }
}
