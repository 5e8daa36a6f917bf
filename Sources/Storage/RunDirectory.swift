// RunDirectory: one sweep's files: the store, a copy of the sweep file and each trial's artifacts
// (RunLock keeps a second `hpsearch run` out).
import Foundation

public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ path: String) { url = URL(fileURLWithPath: path) }

    public var storePath: String { url.appendingPathComponent("sweep.db").path }
    public var sweepCopyPath: String { url.appendingPathComponent("sweep.yaml").path }
    public var lockPath: String { url.appendingPathComponent("run.lock").path }
    /// What was fitted on the training split (FittedTransform's JSON), relative to the directory.
    public static let transformFile = "transform.json"
    public var transformPath: String { url.appendingPathComponent(Self.transformFile).path }

    /// `trials/00042`, relative to the run directory.
    public static func trialFolder(_ index: Int) -> String {
        // String(format:) only for the negative indices no sweep uses: Foundation's formatter was
        // 6% of rank 0's time at 10,000 workers. Same text as "%05d".
        guard index >= 0 else { return "trials/" + String(format: "%05d", index) }
        let digits = String(index)
        return "trials/" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Creates the directory and the trials folder.
    public func create() throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent("trials"), withIntermediateDirectories: true)
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: storePath) }

    /// Writes `bytes` to `relative` (atomically) and returns their FNV-1a checksum.
    @discardableResult
    public func write(_ bytes: [UInt8], to relative: String) throws -> UInt64 {
        let target = url.appendingPathComponent(relative)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: target, options: .atomic)
        } catch {
            let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0.code : nil }
            if posix == Int(ENOSPC) || (error as NSError).code == NSFileWriteOutOfSpaceError {
                throw RunDirectoryError("disk full: cannot write \(target.path) (\(bytes.count) bytes); what is recorded so far is intact — free space on that disk, then `hpsearch resume \(url.path)`")
            }
            throw RunDirectoryError("cannot write \(target.path): \(error.localizedDescription); check the run directory's disk and permissions, then `hpsearch resume \(url.path)`")
        }
        return Self.checksum(bytes)
    }

    /// FNV-1a over 8-byte words, then the tail bytes (what the store records for each
    /// artifact; word-wise because states of several MB pass through rank 0 every few seconds).
    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words { h = (h ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x100000001b3 }
            for i in (words * 8)..<raw.count { h = (h ^ UInt64(raw[i])) &* 0x100000001b3 }
        }
        return h
    }

    /// Removes `relative` if it exists.
    public func remove(_ relative: String) {
        try? FileManager.default.removeItem(at: url.appendingPathComponent(relative))
    }

    public func read(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url.appendingPathComponent(relative)))
    }

    /// The default run directory for a sweep: `runs/<name>-<yyyyMMdd-HHmmss>`.
    public static func defaultPath(name: String, date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "runs/\(name)-\(f.string(from: date))"
    }
}
