// Message: what ranks say to each other, and its wire format.
//
// Wire format (little-endian): version u8 | kind u8 | header length u32 | header |
// blob count u32 | for each blob: length u64, bytes. The header is JSON, except for the two
// messages of the per-epoch conversation (epoch, decision, health), which are fixed binary layouts: they
// are most of the traffic and JSON coding was most of rank 0's time. Bulk data (weights,
// predictions) travels as raw blobs, never re-encoded as text.
import Foundation
import Search

/// A trial handed to a worker.
public struct TrialTask: Sendable, Equatable, Codable {
    public var index: Int
    public var configuration: Configuration
    public var seed: UInt64
    public var maxEpochs: Int
    public init(index: Int, configuration: Configuration, seed: UInt64, maxEpochs: Int) {
        self.index = index
        self.configuration = configuration
        self.seed = seed
        self.maxEpochs = maxEpochs
    }
}

/// How a trial ended on its worker, with what rank 0 stores.
public struct TrialResult: Sendable, Equatable, Codable {
    public var trial: Int
    /// How it ended: completed, early_stopped, pruned, diverged or failed (on the wire: the raw
    /// value, as before).
    public var state: TrialState
    public var message: String?
    public var epochs: Int
    public var bestEpoch: Int?
    public var seconds: Double
    public var parameters: Int
    public var flopsPerExample: Int
    public init(trial: Int, state: TrialState, message: String? = nil, epochs: Int, bestEpoch: Int? = nil, seconds: Double,
                parameters: Int = 0, flopsPerExample: Int = 0) {
        self.trial = trial
        self.state = state
        self.message = message
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.seconds = seconds
        self.parameters = parameters
        self.flopsPerExample = flopsPerExample
    }
}

public enum Message: Sendable, Equatable {
    /// Worker → 0: ready for work (first message of every worker).
    case hello(host: String, pid: Int32)
    /// 0 → worker: the sweep to work on (file path and its text), and rank 0's host (a worker
    /// sharing rank 0's node leaves it a core's share of BLAS threads, not more). `payload` is
    /// empty for a search; for a distillation sweep it carries the student and the teacher.
    case welcome(file: String, text: String, host: String, payload: [UInt8] = [])
    /// 0 → worker: train this; `state` (empty for a fresh trial) is the trainer state saved at
    /// the end of an epoch, to continue from after a crash.
    case assign(TrialTask, state: [UInt8])
    /// Worker → 0: an epoch finished; the worker waits for a `decision`.
    case epoch(EpochRecord)
    /// 0 → worker: go on with the trial (true) or stop it (false), with the reason.
    case decision(trial: Int, proceed: Bool, reason: String?)
    /// Worker → 0: the trainer state at the end of `epoch` (sent after the decision to go on),
    /// which rank 0 keeps so that `resume` continues the trial from there.
    case epochState(trial: Int, epoch: Int, state: [UInt8])
    /// Worker → 0: the trial ended; blobs carry the checkpoint and the validation and test
    /// probabilities ([count × classes] Float32, little-endian) when there is a model.
    case finished(TrialResult, checkpoint: [UInt8], validationProbabilities: [UInt8], testProbabilities: [UInt8])
    /// Worker → 0: this worker cannot work at all (data missing, …); rank 0 stops using it.
    case fatal(String)
    /// 0 → worker: no more work; exit cleanly.
    case shutdown
    /// Worker → 0: this process is alive and its network reaches rank 0 (sent every few
    /// seconds by a thread of its own, whatever the training does); a rank that holds a trial
    /// and sends none for `--heartbeat-timeout` is given up as lost with its host.
    case heartbeat
    /// Worker → rank 0, before the epoch's report (and at initialisation, epoch 0): the trial's
    /// per-layer health and probe predictions. No reply.
    case health(EpochHealth)

    public static let version: UInt8 = 1
}

public struct MessageDecodingError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension Message {
    private struct Header: Codable {
        var host: String?, pid: Int32?, file: String?, text: String?, epoch: Int?
        var task: TrialTask?, result: TrialResult?
        var trial: Int?, reason: String?
    }

    private var kind: UInt8 {
        switch self {
        case .hello: return 1
        case .welcome: return 2
        case .assign: return 3
        case .epoch: return 4
        case .decision: return 5
        case .finished: return 6
        case .fatal: return 7
        case .shutdown: return 8
        case .epochState: return 9
        case .heartbeat: return 10
        case .health: return 11
        }
    }

    /// The message as bytes for the wire.
    public func encoded() throws -> [UInt8] {
        var h = Header()
        var blobs: [[UInt8]] = []
        switch self {
        case .hello(let host, let pid): h.host = host; h.pid = pid
        case .welcome(let file, let text, let host, let payload): h.file = file; h.text = text; h.host = host; blobs = [payload]
        case .assign(let t, let state): h.task = t; blobs = [state]
        case .epoch, .decision, .heartbeat, .health: break   // fixed binary layouts, below
        case .finished(let r, let c, let v, let t): h.result = r; blobs = [c, v, t]
        case .fatal(let why): h.reason = why
        case .epochState(let trial, let epoch, let state): h.trial = trial; h.epoch = epoch; blobs = [state]
        case .shutdown: break
        }
        let json: [UInt8]
        switch self {
        case .epoch(let r):
            var b: [UInt8] = []
            b.reserveCapacity(64)
            Self.append(Int64(r.trial), to: &b)
            Self.append(Int64(r.epoch), to: &b)
            for v in [r.trainLoss, r.trainAccuracy, r.validationLoss, r.validationAccuracy, r.learningRate, r.seconds] { Self.append(v.bitPattern, to: &b) }
            // The task's further metrics, when there are any: u16 count, then per metric (by
            // name) u16 name length, the name's UTF-8 bytes and the value's bits.
            if !r.metrics.isEmpty {
                Self.append(UInt16(r.metrics.count), to: &b)
                for (name, value) in r.metrics.sorted(by: { $0.key < $1.key }) {
                    let utf8 = Array(name.utf8)
                    Self.append(UInt16(utf8.count), to: &b)
                    b += utf8
                    Self.append(value.bitPattern, to: &b)
                }
            }
            json = b
        case .decision(let trial, let proceed, let reason):
            var b: [UInt8] = []
            Self.append(Int64(trial), to: &b)
            b.append(proceed ? 1 : 0)
            b.append(reason == nil ? 0 : 1)
            b += Array((reason ?? "").utf8)
            json = b
        case .heartbeat:
            json = []
        case .health(let h):
            json = h.encoded()
        default:
            json = Array(try JSONEncoder().encode(h))
        }
        var out: [UInt8] = [Self.version, kind]
        out.reserveCapacity(14 + json.count + blobs.reduce(0) { $0 + 8 + $1.count })
        Self.append(UInt32(json.count), to: &out)
        out += json
        Self.append(UInt32(blobs.count), to: &out)
        for b in blobs { Self.append(UInt64(b.count), to: &out); out += b }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws -> Message {
        var at = 0
        func fail(_ why: String) -> MessageDecodingError { MessageDecodingError(description: "bad message (\(bytes.count) bytes): \(why)") }
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, at + n <= bytes.count else { throw fail("truncated") }
            defer { at += n }
            return bytes[at..<at + n]
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        let v = try integer(UInt8.self)
        guard v == version else { throw fail("wire version \(v), this hpsearch speaks \(version): run the same hpsearch on every host") }
        let kind = try integer(UInt8.self)
        guard (1...11).contains(kind) else { throw fail("unknown kind \(kind)") }
        let headerLength = Int(try integer(UInt32.self))
        if kind == 10 {
            guard headerLength == 0, try integer(UInt32.self) == 0 else { throw fail("heartbeat with a header or blobs") }
            return .heartbeat
        }
        if kind == 11 {
            let body = try take(headerLength)
            guard try integer(UInt32.self) == 0 else { throw fail("health with blobs") }
            do { return .health(try EpochHealth.decode(Array(body))) } catch { throw fail("\(error)") }
        }
        if kind == 4 {
            guard headerLength >= 64 else { throw fail("epoch header of \(headerLength) bytes") }
            let end = at + headerLength
            let trial = Int(try integer(Int64.self)), epoch = Int(try integer(Int64.self))
            var v = [Double]()
            for _ in 0..<6 { v.append(Double(bitPattern: try integer(UInt64.self))) }
            var record = EpochRecord(trial: trial, epoch: epoch, trainLoss: v[0], trainAccuracy: v[1], validationLoss: v[2],
                                     validationAccuracy: v[3], learningRate: v[4], seconds: v[5])
            if headerLength > 64 {
                for _ in 0..<Int(try integer(UInt16.self)) {
                    let name = String(decoding: try take(Int(try integer(UInt16.self))), as: UTF8.self)
                    record.metrics[name] = Double(bitPattern: try integer(UInt64.self))
                }
                guard at == end else { throw fail("epoch metrics end at byte \(at), header at \(end)") }
            }
            guard try integer(UInt32.self) == 0 else { throw fail("epoch with blobs") }
            return .epoch(record)
        }
        if kind == 5 {
            guard headerLength >= 10 else { throw fail("decision header of \(headerLength) bytes") }
            let trial = Int(try integer(Int64.self)), proceed = try integer(UInt8.self) == 1, hasReason = try integer(UInt8.self) == 1
            let text = String(decoding: try take(headerLength - 10), as: UTF8.self)
            return .decision(trial: trial, proceed: proceed, reason: hasReason ? text : nil)
        }
        let h: Header
        do { h = try JSONDecoder().decode(Header.self, from: Data(try take(headerLength))) } catch let e as MessageDecodingError {
            throw e
        } catch {
            throw fail("unreadable header: \(error)")
        }
        let count = Int(try integer(UInt32.self))
        var blobs: [[UInt8]] = []
        for _ in 0..<count { blobs.append(Array(try take(Int(try integer(UInt64.self))))) }
        func need<T>(_ v: T?, _ name: String) throws -> T { guard let v else { throw fail("kind \(kind) without \(name)") }; return v }
        switch kind {
        case 1: return .hello(host: try need(h.host, "host"), pid: try need(h.pid, "pid"))
        case 2:
            guard blobs.count <= 1 else { throw fail("welcome with \(blobs.count) blobs") }
            return .welcome(file: try need(h.file, "file"), text: try need(h.text, "text"), host: try need(h.host, "host"), payload: blobs.first ?? [])
        case 3:
            guard blobs.count == 1 else { throw fail("assign with \(blobs.count) blobs") }
            return .assign(try need(h.task, "task"), state: blobs[0])
        case 6:
            guard blobs.count == 3 else { throw fail("finished with \(blobs.count) blobs") }
            return .finished(try need(h.result, "result"), checkpoint: blobs[0], validationProbabilities: blobs[1], testProbabilities: blobs[2])
        case 7: return .fatal(try need(h.reason, "reason"))
        case 8: return .shutdown
        case 9:
            guard blobs.count == 1 else { throw fail("epoch state with \(blobs.count) blobs") }
            return .epochState(trial: try need(h.trial, "trial"), epoch: try need(h.epoch, "epoch"), state: blobs[0])
        default: throw fail("unknown kind \(kind)")
        }
    }

    private static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { out += $0 }
    }
}
