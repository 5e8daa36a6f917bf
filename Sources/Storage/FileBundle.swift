// FileBundle: named files as one byte string — how a program trial's checkpoint directory, its
// logs and its label files travel to rank 0 (inside the messages that carry a built-in trial's
// state and model) and back to whichever rank resumes it. Layout: "HPSBNDL1", a little-endian
// u32 count, then per file a u32 name length, the UTF-8 name (a relative path, `/`-separated,
// no `..`), a u64 size and the bytes.
import Foundation

public struct FileBundle: Sendable, Equatable {
    public var files: [(name: String, bytes: [UInt8])]

    public static func == (a: FileBundle, b: FileBundle) -> Bool {
        a.files.count == b.files.count && zip(a.files, b.files).allSatisfy { $0.name == $1.name && $0.bytes == $1.bytes }
    }

    public init(files: [(name: String, bytes: [UInt8])] = []) { self.files = files }

    static let magic = Array("HPSBNDL1".utf8)

    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes.count } }

    public func encoded() -> [UInt8] {
        var out = Self.magic
        func u32(_ v: Int) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func u64(_ v: Int) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        u32(files.count)
        for f in files {
            let name = Array(f.name.utf8)
            u32(name.count)
            out += name
            u64(f.bytes.count)
            out += f.bytes
        }
        return out
    }

    /// Whether `bytes` start as a bundle does.
    public static func isBundle(_ bytes: [UInt8]) -> Bool { bytes.count >= 12 && Array(bytes.prefix(8)) == magic }

    public init(decoding bytes: [UInt8], source: String) throws {
        func fail(_ why: String) -> RunDirectoryError { RunDirectoryError("\(source): not a readable file bundle (\(why))") }
        guard Self.isBundle(bytes) else { throw fail("no header") }
        var o = 8
        func read(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, o + n <= bytes.count else { throw fail("truncated") }
            defer { o += n }
            return bytes[o..<(o + n)]
        }
        func uint(_ n: Int) throws -> Int { try read(n).reversed().reduce(0) { $0 << 8 | Int($1) } }
        let count = try uint(4)
        var files: [(String, [UInt8])] = []
        for _ in 0..<count {
            let name = String(decoding: try read(try uint(4)), as: UTF8.self)
            guard Self.isSafe(name) else { throw fail("unsafe name '\(name)'") }
            files.append((name, Array(try read(try uint(8)))))
        }
        self.files = files
    }

    /// A relative path inside the bundle's directory: not empty, not absolute, no `..`.
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
    }

    /// Every regular file under `directory` (recursively), names relative to it, sorted.
    public init(directory: URL) throws {
        var files: [(String, [UInt8])] = []
        let base = directory.standardizedFileURL.path
        if let e = FileManager.default.enumerator(atPath: base) {
            for case let relative as String in e {
                let path = base + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let data = FileManager.default.contents(atPath: path) else { continue }
                files.append((relative, [UInt8](data)))
            }
        }
        self.files = files.sorted { $0.0 < $1.0 }
    }

    /// Writes every file under `directory` (created as needed).
    public func write(to directory: URL) throws {
        for f in files {
            let target = directory.appendingPathComponent(f.name)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(f.bytes).write(to: target)
            } catch {
                throw RunDirectoryError("cannot write \(target.path): \(error.localizedDescription)")
            }
        }
    }

    public subscript(name: String) -> [UInt8]? { files.first { $0.name == name }?.bytes }
}
