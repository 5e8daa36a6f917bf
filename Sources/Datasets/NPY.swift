// NPY: NumPy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// the magic `\x93NUMPY`, a version (1.0: u16 header length; 2.0 and 3.0: u32, 3.0's header in
// UTF-8), an ASCII Python-dict header `{'descr': '<f4', 'fortran_order': False, 'shape': (N, F), }`
// and the data in C order. Reads bool, int8…int64, uint8…uint64, float32 and float64, little- or
// big-endian; refuses Fortran order, structured, string, object, complex and float16 dtypes.
// `encode` writes the same format (for tests and tools).
import Foundation

/// A decoded `.npy` array: its element type, shape and the raw C-order element bytes.
public struct NPYArray: Sendable, Equatable {
    public enum Kind: String, Sendable { case bool, int, uint, float }

    public var kind: Kind
    /// Bytes per element (1, 2, 4 or 8).
    public var itemSize: Int
    public var bigEndian: Bool
    public var shape: [Int]
    /// `count × itemSize` bytes, in the file's byte order.
    public var bytes: [UInt8]

    public init(kind: Kind, itemSize: Int, bigEndian: Bool, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * itemSize, "bytes must hold the shape")
        self.kind = kind
        self.itemSize = itemSize
        self.bigEndian = bigEndian
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// NumPy's name: `float32`, `uint8`, `bool`, …
    public var dtypeName: String { kind == .bool ? "bool" : "\(kind.rawValue)\(itemSize * 8)" }

    /// NumPy's descr: `<f4`, `>i8`, `|u1`, …
    public var descr: String {
        let code: Character = switch kind { case .bool: "b"; case .int: "i"; case .uint: "u"; case .float: "f" }
        return "\(itemSize == 1 ? "|" : (bigEndian ? ">" : "<"))\(code)\(itemSize)"
    }

    @inline(__always) private func raw(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        var v: UInt64 = 0
        let o = i * itemSize
        if bigEndian {
            for k in 0..<itemSize { v = v << 8 | UInt64(bytes[o + k]) }
        } else {
            var k = itemSize - 1
            while k >= 0 { v = v << 8 | UInt64(bytes[o + k]); k -= 1 }
        }
        return v
    }

    @inline(__always) private func signed(_ r: UInt64) -> Int64 {
        let shift = UInt64(64 - 8 * itemSize)
        return Int64(bitPattern: r << shift) >> Int64(shift)
    }

    /// Every element as a Float32 (float64 rounds to nearest; integers convert directly).
    public func floats() -> [Float] { floats(from: 0, count: count) }

    /// Elements `start ..< start + n` as Float32 (as `floats()`): one batch of rows at a time.
    public func floats(from start: Int, count n: Int) -> [Float] {
        precondition(start >= 0 && n >= 0 && start + n <= count, "elements \(start)..<\(start + n) of \(count)")
        var out = [Float](repeating: 0, count: n)
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                switch kind {
                case .float where itemSize == 4: for i in 0..<o.count { o[i] = Float(bitPattern: UInt32(truncatingIfNeeded: raw(b, start + i))) }
                case .float: for i in 0..<o.count { o[i] = Float(Double(bitPattern: raw(b, start + i))) }
                case .int: for i in 0..<o.count { o[i] = Float(signed(raw(b, start + i))) }
                case .uint: for i in 0..<o.count { o[i] = Float(raw(b, start + i)) }
                case .bool: for i in 0..<o.count { o[i] = raw(b, start + i) != 0 ? 1 : 0 }
                }
            }
        }
        return out
    }

    /// Element `i` as a Double (exact for every type but int64/uint64 beyond 2^53).
    public func double(at i: Int) -> Double {
        bytes.withUnsafeBufferPointer { b in
            let r = raw(b, i)
            switch kind {
            case .float where itemSize == 4: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: r)))
            case .float: return Double(bitPattern: r)
            case .int: return Double(signed(r))
            case .uint: return Double(r)
            case .bool: return r != 0 ? 1 : 0
            }
        }
    }

    /// Element `i` as an integer: nil for a float that is not integer-valued (or NaN, or out of
    /// Int's range) and for a uint64 above Int.max.
    public func integer(at i: Int) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            let r = raw(b, i)
            switch kind {
            case .int: return Int(signed(r))
            case .uint: return r <= UInt64(Int.max) ? Int(r) : nil
            case .bool: return r != 0 ? 1 : 0
            case .float:
                let d = itemSize == 4 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: r))) : Double(bitPattern: r)
                guard d.isFinite, d.rounded() == d, abs(d) < 9.0e18 else { return nil }
                return Int(d)
            }
        }
    }
}

public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the `.npy` file at `path`.
    public static func read(path: String) throws -> NPYArray {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DatasetError.missingFile(path: path, hint: "Check the .npy paths in the sweep file's data.source.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        return try parse([UInt8](data), source: path)
    }

    /// Decodes `.npy` bytes; `source` names them in errors (a path, or `archive.npz:x.npy`).
    public static func parse(_ bytes: [UInt8], source: String) throws -> NPYArray {
        guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
            let head = bytes.prefix(8).map { b -> String in
                (0x20..<0x7f).contains(b) ? String(UnicodeScalar(b)) : String(format: "\\x%02x", b)
            }.joined()
            if bytes.count < 6 && Array(magic.prefix(bytes.count)) == bytes {
                throw DatasetError.truncated(path: source, reason: "\(bytes.count) bytes, no .npy header")
            }
            throw DatasetError.notNPY(path: source, found: head.isEmpty ? "nothing (an empty file)" : "'\(head)'")
        }
        guard bytes.count >= 10 else { throw DatasetError.truncated(path: source, reason: "\(bytes.count) bytes, no .npy header") }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DatasetError.truncated(path: source, reason: "\(bytes.count) bytes, no .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw DatasetError.corrupt(path: source, reason: ".npy format version \(major).\(minor) is not one of 1.0, 2.0, 3.0")
        }
        guard bytes.count >= headerStart + headerLength else {
            throw DatasetError.truncated(path: source, reason: "the header needs \(headerStart + headerLength) bytes, the file has \(bytes.count)")
        }
        let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
        guard let header = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw DatasetError.corrupt(path: source, reason: "the header is not text")
        }
        let dict = try HeaderParser(text: header, source: source).parse()
        guard let descr = dict.descr else { throw DatasetError.corrupt(path: source, reason: "the header has no 'descr'") }
        guard let fortran = dict.fortranOrder else { throw DatasetError.corrupt(path: source, reason: "the header has no 'fortran_order'") }
        guard let shape = dict.shape else { throw DatasetError.corrupt(path: source, reason: "the header has no 'shape'") }
        let (kind, size, bigEndian) = try dtype(descr, source: source)
        if fortran && shape.filter({ $0 > 1 }).count > 1 { throw DatasetError.fortranOrder(path: source) }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let (byteCount, overflow2) = count.multipliedReportingOverflow(by: size)
        guard !overflow, !overflow2 else { throw DatasetError.corrupt(path: source, reason: "shape \(shape) is too large") }
        let start = headerStart + headerLength
        guard bytes.count - start >= byteCount else {
            throw DatasetError.truncated(path: source, reason: "shape \(shape) of \(NPYArray(kind: kind, itemSize: size, bigEndian: bigEndian, shape: [0], bytes: []).dtypeName) "
                                         + "needs \(byteCount) data bytes, the file has \(bytes.count - start)")
        }
        return NPYArray(kind: kind, itemSize: size, bigEndian: bigEndian, shape: shape,
                        bytes: Array(bytes[start..<(start + byteCount)]))
    }

    /// (kind, item size, big-endian) of a descr such as `<f4`; throws `unsupportedDType` naming it.
    static func dtype(_ descr: String, source: String) throws -> (NPYArray.Kind, Int, Bool) {
        var chars = Array(descr)
        var big = false
        if let first = chars.first, "<>|=".contains(first) {
            big = first == ">"
            chars.removeFirst()
        }
        guard let code = chars.first, let size = Int(String(chars.dropFirst())) else {
            throw DatasetError.unsupportedDType(path: source, dtype: "'\(descr)'")
        }
        let names: [Character: String] = ["c": "complex", "U": "unicode string", "S": "byte string", "a": "byte string",
                                          "O": "Python object", "M": "datetime64", "m": "timedelta64", "V": "void/structured"]
        switch (code, size) {
        case ("f", 4), ("f", 8): return (.float, size, big)
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): return (.int, size, big)
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): return (.uint, size, big)
        case ("b", 1): return (.bool, 1, false)
        case ("f", 2): throw DatasetError.unsupportedDType(path: source, dtype: "'\(descr)' (float16)")
        case ("f", _): throw DatasetError.unsupportedDType(path: source, dtype: "'\(descr)' (float\(size * 8))")
        default:
            let name = names[code].map { " (\($0))" } ?? ""
            throw DatasetError.unsupportedDType(path: source, dtype: "'\(descr)'\(name)")
        }
    }

    /// The header dictionary's three keys.
    struct Header { var descr: String?; var fortranOrder: Bool?; var shape: [Int]? }

    /// A reader for the Python literal NumPy writes: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    struct HeaderParser {
        let text: String
        let source: String

        func parse() throws -> Header {
            var s = Substring(text)
            func fail(_ what: String) -> DatasetError {
                .corrupt(path: source, reason: "the .npy header \(text.trimmingCharacters(in: .whitespacesAndNewlines)) is not a dictionary NumPy writes (\(what))")
            }
            func skipSpace() { s = s.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" } }
            func expect(_ c: Character) throws { skipSpace(); guard s.first == c else { throw fail("expected '\(c)'") }; s.removeFirst() }
            func string() throws -> String {
                skipSpace()
                guard let q = s.first, q == "'" || q == "\"" else { throw fail("expected a string") }
                s.removeFirst()
                guard let end = s.firstIndex(of: q) else { throw fail("unterminated string") }
                let v = String(s[..<end]); s = s[s.index(after: end)...]; return v
            }
            var header = Header()
            try expect("{")
            while true {
                skipSpace()
                if s.first == "}" { break }
                let key = try string()
                try expect(":")
                skipSpace()
                switch key {
                case "descr":
                    if s.first == "[" || s.first == "{" {
                        throw DatasetError.unsupportedDType(path: source, dtype: "structured (record) dtype")
                    }
                    header.descr = try string()
                case "fortran_order":
                    if s.hasPrefix("True") { header.fortranOrder = true; s = s.dropFirst(4) }
                    else if s.hasPrefix("False") { header.fortranOrder = false; s = s.dropFirst(5) }
                    else { throw fail("fortran_order must be True or False") }
                case "shape":
                    try expect("(")
                    var dims: [Int] = []
                    while true {
                        skipSpace()
                        if s.first == ")" { s.removeFirst(); break }
                        let digits = s.prefix { $0.isNumber }
                        guard let d = Int(digits) else { throw fail("shape must hold integers") }
                        dims.append(d)
                        s = s.dropFirst(digits.count)
                        if s.first == "L" { s.removeFirst() }  // Python 2's long literals
                        skipSpace()
                        if s.first == "," { s.removeFirst() }
                    }
                    header.shape = dims
                default:
                    throw fail("unknown key '\(key)'")
                }
                skipSpace()
                if s.first == "," { s.removeFirst() }
            }
            return header
        }
    }

    // MARK: Writing

    /// A `.npy` file of `array` in format `version` (1, 2 or 3), its header padded to 64 bytes as NumPy does.
    public static func encode(_ array: NPYArray, version: UInt8 = 1, fortranOrder: Bool = false) -> [UInt8] {
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shape), }"
        let prefix = version == 1 ? 10 : 12
        let total = (prefix + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: total - prefix - header.utf8.count - 1) + "\n"
        let n = header.utf8.count
        var out = magic + [version, 0]
        out += version == 1 ? [UInt8(n & 0xff), UInt8(n >> 8)] : [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)]
        return out + Array(header.utf8) + array.bytes
    }

    /// An array of `dtype` (`<f4`, `>i2`, `|b1`, …) holding `values`, converted as NumPy's
    /// `astype` would for in-range values (floats to integers truncate).
    public static func array(_ values: [Double], shape: [Int], dtype: String) throws -> NPYArray {
        let (kind, size, big) = try self.dtype(dtype, source: "dtype")
        precondition(values.count == shape.reduce(1, *), "values must fill the shape")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * size)
        for v in values {
            let bits: UInt64
            switch kind {
            case .float: bits = size == 4 ? UInt64(Float(v).bitPattern) : v.bitPattern
            case .int: bits = UInt64(bitPattern: Int64(v))
            case .uint: bits = UInt64(v)
            case .bool: bits = v != 0 ? 1 : 0
            }
            let little = (0..<size).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
            bytes += big ? little.reversed() : little
        }
        return NPYArray(kind: kind, itemSize: size, bigEndian: big, shape: shape, bytes: bytes)
    }
}
