// Checkpoint: every parameter and buffer of a layer in a versioned binary file with shapes and
// a checksum. Layout (little-endian):
//   "HPSCKPT\0" (8 bytes) · version u32 · metadata count u32 · (key, value)* · entry count u32 ·
//   (name · rank u32 · dims i64×rank · float32×count)* · FNV-1a-64 of everything before (u64)
// Strings are u32 byte length + UTF-8. A truncated, foreign or corrupted file is a typed error.
import Foundation
import TensorCore

public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case badMagic(path: String)
    case unsupportedVersion(path: String, version: UInt32, supported: UInt32)
    case truncated(path: String, offset: Int, size: Int)
    case checksumMismatch(path: String)
    case missingEntry(path: String, name: String)
    case unexpectedEntry(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    /// A tensor is present with the right shape but holds values that cannot be what was saved
    /// (e.g. an integer or generator state that is out of range).
    case invalidEntry(path: String, name: String, reason: String)
    /// A metadata key a training state needs is absent (e.g. a plain model checkpoint was passed).
    case missingMetadata(path: String, key: String)
    /// A metadata value cannot be parsed.
    case invalidMetadata(path: String, key: String, reason: String)
    /// A training state that was saved by a different run: another seed, architecture,
    /// configuration or training setting (`field`), with the first difference.
    case incompatibleState(path: String, field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): cannot read checkpoint: \(r)"
        case .unwritable(let p, let r): return "\(p): cannot write checkpoint: \(r); check free space and permissions"
        case .badMagic(let p): return "\(p): not an hpsearch checkpoint (wrong magic number); pass a file written by hpsearch"
        case .unsupportedVersion(let p, let v, let s):
            return "\(p): checkpoint format version \(v) is newer than this hpsearch supports (\(s)); upgrade hpsearch"
        case .truncated(let p, let o, let s): return "\(p): checkpoint is truncated (needed data past byte \(o) of \(s)); the write was probably interrupted — use an earlier checkpoint or retrain"
        case .checksumMismatch(let p): return "\(p): checkpoint checksum mismatch: the file is corrupted; use an earlier checkpoint or retrain"
        case .missingEntry(let p, let n): return "\(p): checkpoint has no tensor '\(n)': it was saved from a different architecture"
        case .unexpectedEntry(let p, let n): return "\(p): checkpoint has a tensor '\(n)' the model does not: it was saved from a different architecture"
        case .shapeMismatch(let p, let n, let e, let f): return "\(p): tensor '\(n)' has shape \(f) in the checkpoint but \(e) in the model: different architecture"
        case .invalidEntry(let p, let n, let r): return "\(p): tensor '\(n)' holds invalid values: \(r); the file is corrupted or was not written by hpsearch"
        case .missingMetadata(let p, let k): return "\(p): checkpoint has no metadata '\(k)': it is not a training state (a model checkpoint cannot resume training)"
        case .invalidMetadata(let p, let k, let r): return "\(p): metadata '\(k)' is invalid: \(r)"
        case .incompatibleState(let p, let f, let e, let found):
            return "\(p): training state belongs to another run: \(f) is \(found) in the state but \(e) in this trainer; resume only with the trial's own configuration, seed and budget"
        }
    }
}

public struct Checkpoint: Equatable {
    public static let magic: [UInt8] = Array("HPSCKPT".utf8) + [0]
    public static let version: UInt32 = 1

    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        public var data: [Float]

        public init(name: String, shape: [Int], data: [Float]) {
            precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == data.count,
                         "entry '\(name)': shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
            self.name = name
            self.shape = shape
            self.data = data
        }

        /// Exact unsigned integers in a Float entry: each word as four 16-bit limbs (least
        /// significant first), every limb exactly representable in Float32; shape [count, 4].
        public init(name: String, integers: [UInt64]) {
            var data: [Float] = []
            data.reserveCapacity(integers.count * 4)
            for w in integers { for k in 0..<4 { data.append(Float(UInt16(truncatingIfNeeded: w >> (16 * UInt64(k))))) } }
            self.init(name: name, shape: [integers.count, 4], data: data)
        }

        /// The words an `init(name:integers:)` entry holds. Throws `CheckpointError.shapeMismatch`
        /// when its shape is not [n, 4] (or not [`count`, 4] when `count` is given), and
        /// `.invalidEntry` when a limb is not an integer in 0...65535.
        public func integers(count: Int? = nil, source: String = "checkpoint") throws -> [UInt64] {
            guard shape.count == 2, shape[1] == 4, count.map({ $0 == shape[0] }) ?? true else {
                let expected = count.map { [$0, 4] } ?? [shape.first ?? 0, 4]
                throw CheckpointError.shapeMismatch(path: source, name: name, expected: expected, found: shape)
            }
            guard data.count == shape[0] * 4 else {
                throw CheckpointError.invalidEntry(path: source, name: name, reason: "\(data.count) values for shape \(shape)")
            }
            var out: [UInt64] = []
            out.reserveCapacity(shape[0])
            for i in 0..<shape[0] {
                var w: UInt64 = 0
                for k in 0..<4 {
                    let v = data[i * 4 + k]
                    guard v >= 0, v <= 65535, v == v.rounded(.towardZero) else {
                        throw CheckpointError.invalidEntry(path: source, name: name, reason: "\(v) is not a 16-bit integer limb")
                    }
                    w |= UInt64(v) << (16 * UInt64(k))
                }
                out.append(w)
            }
            return out
        }
    }

    public var entries: [Entry]
    public var metadata: [String: String]

    public init(entries: [Entry], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    /// Snapshot of a layer's parameters and buffers (buffers prefixed "buffer:").
    public init(layer: any Layer, metadata: [String: String] = [:]) {
        let params = layer.namedParameters.map { Entry(name: $0.0, shape: $0.1.shape, data: $0.1.data) }
        let buffers = layer.namedBuffers.map { Entry(name: "buffer:" + $0.0, shape: $0.1.shape, data: $0.1.data) }
        self.init(entries: params + buffers, metadata: metadata)
    }

    /// Copies the saved values into `layer`; every tensor must be present with the same shape.
    /// Nothing is written unless all of them are.
    public func restore(into layer: any Layer, source: String = "checkpoint") throws {
        let targets = layer.namedParameters + layer.namedBuffers.map { ("buffer:" + $0.0, $0.1) }
        try check(targets, source: source)
        let values = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.data) })
        for (name, t) in targets { t.assign(values[name]!) }
    }

    /// Throws what `restore(into:source:)` would, without writing anything.
    public func check(against layer: any Layer, source: String = "checkpoint") throws {
        try check(layer.namedParameters + layer.namedBuffers.map { ("buffer:" + $0.0, $0.1) }, source: source)
    }

    private func check(_ targets: [(String, Tensor)], source: String) throws {
        var byName: [String: Entry] = [:]
        for e in entries {
            // A name saved twice would trap in Dictionary(uniqueKeysWithValues:) below.
            guard byName.updateValue(e, forKey: e.name) == nil else { throw CheckpointError.unexpectedEntry(path: source, name: e.name) }
        }
        for (name, t) in targets {
            guard let e = byName.removeValue(forKey: name) else { throw CheckpointError.missingEntry(path: source, name: name) }
            guard e.shape == t.shape else {
                throw CheckpointError.shapeMismatch(path: source, name: name, expected: t.shape, found: e.shape)
            }
        }
        if let extra = byName.keys.sorted().first { throw CheckpointError.unexpectedEntry(path: source, name: extra) }
    }

    // MARK: Encoding

    /// The file's bytes. Tensor data is copied as whole Float32 arrays (no per-value work).
    public func encoded() -> [UInt8] {
        var size = 8 + 4 + 4 + 4 + 8
        for (k, v) in metadata { size += 8 + k.utf8.count + v.utf8.count }
        for e in entries { size += 4 + e.name.utf8.count + 4 + 8 * e.shape.count + 4 * e.data.count }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(contentsOf: Checkpoint.magic)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func str(_ s: String) { let b = Array(s.utf8); u32(UInt32(b.count)); out.append(contentsOf: b) }
        u32(Checkpoint.version)
        u32(UInt32(metadata.count))
        for k in metadata.keys.sorted() { str(k); str(metadata[k]!) }
        u32(UInt32(entries.count))
        for e in entries {
            str(e.name)
            u32(UInt32(e.shape.count))
            for d in e.shape { i64(Int64(d)) }
            Checkpoint.appendLittleEndian(e.data, to: &out)
        }
        let h = Checkpoint.fnv1a(out[...])
        withUnsafeBytes(of: h.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    static func appendLittleEndian(_ values: [Float], to out: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        #endif
    }

    public static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBufferPointer { b in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
            return h
        }
    }

    public static func decode(_ bytes: [UInt8], source: String = "checkpoint") throws -> Checkpoint {
        var pos = 0
        func need(_ n: Int) throws {
            if n < 0 || pos + n > bytes.count { throw CheckpointError.truncated(path: source, offset: pos + max(n, 0), size: bytes.count) }
        }
        func u32() throws -> UInt32 {
            try need(4)
            let v = UInt32(bytes[pos]) | UInt32(bytes[pos + 1]) << 8 | UInt32(bytes[pos + 2]) << 16 | UInt32(bytes[pos + 3]) << 24
            pos += 4
            return v
        }
        func i64() throws -> Int64 {
            let lo = try u32(), hi = try u32()
            return Int64(bitPattern: UInt64(lo) | UInt64(hi) << 32)
        }
        func str() throws -> String {
            let n = Int(try u32())
            try need(n)
            defer { pos += n }
            return String(decoding: bytes[pos..<(pos + n)], as: UTF8.self)
        }
        guard bytes.count >= 8 else {
            if bytes.elementsEqual(magic.prefix(bytes.count)) { throw CheckpointError.truncated(path: source, offset: 8, size: bytes.count) }
            throw CheckpointError.badMagic(path: source)
        }
        guard Array(bytes[0..<8]) == magic else { throw CheckpointError.badMagic(path: source) }
        pos = 8
        let version = try u32()
        guard version <= Checkpoint.version else {
            throw CheckpointError.unsupportedVersion(path: source, version: version, supported: Checkpoint.version)
        }
        var metadata: [String: String] = [:]
        for _ in 0..<(try u32()) { let k = try str(); metadata[k] = try str() }
        var entries: [Entry] = []
        for _ in 0..<(try u32()) {
            let name = try str()
            let rank = Int(try u32())
            try need(rank * 8)
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try i64())) }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError.checksumMismatch(path: source) }
            // A corrupted dimension must not overflow (and trap) when sizing the data.
            var n = 1
            for d in shape {
                let (p, overflow) = n.multipliedReportingOverflow(by: d)
                guard !overflow, p <= Int.max / 4 else { throw CheckpointError.checksumMismatch(path: source) }
                n = p
            }
            try need(n * 4)
            let start = pos
            let data = [Float](unsafeUninitializedCapacity: n) { buf, initialized in
                bytes.withUnsafeBytes { raw in
                    #if _endian(little)
                    if n > 0 { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: raw.baseAddress! + start, byteCount: n * 4) }
                    #else
                    for i in 0..<n { buf[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))) }
                    #endif
                }
                initialized = n
            }
            pos += n * 4
            entries.append(Entry(name: name, shape: shape, data: data))
        }
        let bodyEnd = pos
        let stored = UInt64(try u32()) | UInt64(try u32()) << 32
        guard stored == fnv1a(bytes[0..<bodyEnd]) else { throw CheckpointError.checksumMismatch(path: source) }
        guard pos == bytes.count else { throw CheckpointError.checksumMismatch(path: source) }
        return Checkpoint(entries: entries, metadata: metadata)
    }

    // MARK: Files

    /// Writes atomically (temporary file, then rename), so a crash never leaves a half file in place.
    public func write(to url: URL) throws {
        do { try Data(encoded()).write(to: url, options: .atomic) } catch {
            throw CheckpointError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data), source: url.path)
    }
}
