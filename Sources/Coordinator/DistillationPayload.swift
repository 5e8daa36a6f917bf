// DistillationPayload: what a worker needs, beyond the sweep file, to train students: the
// student's configuration and the teacher's predictions on the training split. Rank 0 sends it
// once, in the welcome, so workers need no shared file system.
import Foundation
import Search
import Training

public struct DistillationPayload: Sendable, Equatable {
    public var student: Configuration
    public var teacher: Teacher
    /// The distill section's `trials` and `epochs` after command-line overrides.
    public var trials: Int
    public var epochs: Int?

    public init(student: Configuration, teacher: Teacher, trials: Int, epochs: Int?) {
        self.student = student
        self.teacher = teacher
        self.trials = trials
        self.epochs = epochs
    }

    /// The sweep this payload belongs to, derived from the main sweep exactly as rank 0 did.
    public func sweep(parent: SweepSpec) -> DistillationSweep {
        DistillationSweep(parent: parent, student: student, trials: trials, epochs: epochs)
    }

    private struct Header: Codable {
        var student: Configuration
        var trials: Int
        var epochs: Int?
    }

    /// UInt32 header length (little-endian), the JSON header, then the teacher's bytes.
    public func encoded() throws -> [UInt8] {
        let header = try JSONEncoder().encode(Header(student: student, trials: trials, epochs: epochs))
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(contentsOf: teacher.encoded())
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws -> DistillationPayload {
        guard bytes.count >= 4 else { throw TeacherError("bad distillation payload: \(bytes.count) bytes") }
        let length = Int(UInt32(littleEndian: bytes[0..<4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        guard bytes.count >= 4 + length else { throw TeacherError("bad distillation payload: header of \(length) bytes in \(bytes.count)") }
        let header = try JSONDecoder().decode(Header.self, from: Data(bytes[4..<(4 + length)]))
        return DistillationPayload(student: header.student, teacher: try Teacher.decode(Array(bytes[(4 + length)...])),
                                   trials: header.trials, epochs: header.epochs)
    }
}
