// Teacher: an ensemble's predictions on the training split, the source of a student's soft
// targets. Kept as each member's probabilities (temperature 1) and its weight, so that any
// temperature's targets follow without running the members again (Hinton et al., 2015: the
// arithmetic mean of the members' softened distributions). A regression teacher's members are
// predictions in the targets' units ([rows × targets]); its targets are their weighted mean.
import Foundation

public struct Teacher: Sendable, Equatable {
    /// Each member's probabilities on the training split, [rows × classes] row-major.
    public var members: [[Float]]
    /// Member weights (summing to 1).
    public var weights: [Double]
    public var rows: Int
    /// Classes, or (regression) targets per row.
    public var classes: Int
    /// Members hold regression predictions, not probabilities.
    public var regression: Bool

    public init(members: [[Float]], weights: [Double], rows: Int, classes: Int, regression: Bool = false) throws {
        guard !members.isEmpty, members.count == weights.count else {
            throw TeacherError("a teacher needs at least one member and one weight per member (got \(members.count) members, \(weights.count) weights)")
        }
        for (i, m) in members.enumerated() where m.count != rows * classes {
            throw TeacherError("member \(i) has \(m.count) probabilities, expected \(rows) rows × \(classes) classes")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
            throw TeacherError("member weights must be finite, non-negative and not all zero: \(weights)")
        }
        let total = weights.reduce(0, +)
        self.members = members
        self.weights = weights.map { $0 / total }
        self.rows = rows
        self.classes = classes
        self.regression = regression
    }

    /// Regression: the members' weighted mean prediction per row and target, [rows × targets].
    public func meanOutputs() -> [Float] {
        var out = [Double](repeating: 0, count: rows * classes)
        for (m, w) in zip(members, weights) where w > 0 { for i in out.indices { out[i] += w * Double(m[i]) } }
        return out.map(Float.init)
    }

    /// Soft targets at temperature `t`: Σₘ wₘ · softmax(log pₘ / t) per row, [rows × classes].
    /// softmax(log p / t) equals softmax(z / t) for the member's logits z (log p = z − log Σ eᶻ),
    /// so the members' probabilities are enough. t = 1 gives the ensemble's own prediction.
    public func softTargets(temperature t: Double) -> [Float] {
        precondition(t > 0, "temperature must be positive")
        let c = classes
        var out = [Double](repeating: 0, count: rows * c)
        var logits = [Double](repeating: 0, count: c)
        for (m, w) in zip(members, weights) where w > 0 {
            m.withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    var top = -Double.infinity
                    for j in 0..<c {
                        logits[j] = Foundation.log(Swift.max(Double(p[r * c + j]), 1e-30)) / t
                        top = Swift.max(top, logits[j])
                    }
                    var sum = 0.0
                    for j in 0..<c { logits[j] = Foundation.exp(logits[j] - top); sum += logits[j] }
                    for j in 0..<c { out[r * c + j] += w * logits[j] / sum }
                }
            }
        }
        return out.map(Float.init)
    }

    // MARK: Bytes (sent to worker ranks; little-endian)

    static let magic = Array("HPTEACH1".utf8)
    static let regressionMagic = Array("HPTEACHR".utf8)

    /// magic (HPTEACH1, or HPTEACHR for regression), members, rows, classes (UInt32 each), the
    /// weights (Float64), then each member's probabilities or predictions (Float32).
    public func encoded() -> [UInt8] {
        var out = regression ? Self.regressionMagic : Self.magic
        out.reserveCapacity(out.count + 12 + 8 * weights.count + 4 * rows * classes * members.count)
        for v in [members.count, rows, classes] { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        for w in weights { withUnsafeBytes(of: w.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        for m in members { m.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws -> Teacher {
        func fail(_ why: String) -> TeacherError { TeacherError("bad teacher payload (\(bytes.count) bytes): \(why)") }
        let head = Array(bytes.prefix(magic.count))
        guard bytes.count >= magic.count + 12, head == magic || head == regressionMagic else { throw fail("no HPTEACH1 header") }
        func u32(_ at: Int) -> Int {
            Int(UInt32(littleEndian: bytes[at..<(at + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        }
        let count = u32(magic.count), rows = u32(magic.count + 4), classes = u32(magic.count + 8)
        let weightsAt = magic.count + 12, membersAt = weightsAt + 8 * count
        guard count > 0, bytes.count == membersAt + 4 * rows * classes * count else {
            throw fail("\(count) members of \(rows) × \(classes) do not fit")
        }
        let weights = (0..<count).map { i in
            Double(bitPattern: UInt64(littleEndian: bytes[(weightsAt + 8 * i)..<(weightsAt + 8 * i + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        }
        let size = rows * classes
        let members = (0..<count).map { i in
            bytes[(membersAt + 4 * size * i)..<(membersAt + 4 * size * (i + 1))].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return try Teacher(members: members, weights: weights, rows: rows, classes: classes, regression: head == regressionMagic)
    }
}

public struct TeacherError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
