// CommunicatorSelfTest: the Communicator contract as one exchange every rank runs, so the same
// checks apply to the in-process world (unit tests) and to a real `mpirun` job
// (`hpsearch selftest communicator`, run under mpirun by the test suite).
import Foundation

public enum CommunicatorSelfTest {
    /// Runs the exchange on this rank. Rank 0 sends each worker a numbered burst (FIFO), a large
    /// blob (past MPI's eager limit) and a shutdown; each worker echoes what it got. Throws on
    /// any violation; returns a one-line summary on rank 0.
    @discardableResult
    public static func run(_ c: any Communicator, burst: Int = 50, blobBytes: Int = 3 << 20, timeout: Double = 30) throws -> String {
        func expect(_ ok: Bool, _ what: @autoclosure () -> String) throws {
            if !ok { throw CommunicatorError("rank \(c.rank): \(what())") }
        }
        let blob = (0..<blobBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let result = TrialResult(trial: 9, state: "completed", epochs: 3, seconds: 1.5)
        if c.rank == 0 {
            try expect(try c.poll() == nil, "poll returned a message nobody sent")
            let started = Date()
            for w in 1..<c.size {
                for i in 0..<burst { try c.send(.decision(trial: i, proceed: i % 2 == 0, reason: "n\(i)"), to: w) }
                try c.send(.finished(result, checkpoint: blob, validationProbabilities: [1, 2], testProbabilities: []), to: w)
                try c.send(.shutdown, to: w)
            }
            var echoes = [Int: Int](), blobsBack = 0
            while blobsBack < c.size - 1 {
                guard let (source, m) = try c.receive(timeout: max(0, timeout - Date().timeIntervalSince(started))) else {
                    throw CommunicatorError("rank 0: timed out waiting for echoes")
                }
                switch m {
                case .decision(let i, _, _):
                    try expect(i == echoes[source, default: 0], "rank \(source)'s echo \(i) arrived out of order")
                    echoes[source, default: 0] += 1
                case .finished(let r, let b, _, _):
                    try expect(r == result && b == blob, "rank \(source)'s blob came back altered")
                    try expect(echoes[source] == burst, "rank \(source)'s blob overtook its burst")
                    blobsBack += 1
                default: throw CommunicatorError("rank 0: unexpected \(m) from rank \(source)")
                }
            }
            return String(format: "%d ranks: %d messages and a %.1f MB blob per worker, FIFO and intact, in %.3f s",
                          c.size, burst, Double(blobBytes) / 1e6, Date().timeIntervalSince(started))
        }
        var next = 0
        while true {
            guard let (source, m) = try c.receive(timeout: timeout) else { throw CommunicatorError("rank \(c.rank): timed out") }
            try expect(source == 0, "message from rank \(source), expected 0")
            switch m {
            case .decision(let i, let proceed, let reason):
                try expect(i == next && proceed == (i % 2 == 0) && reason == "n\(i)", "message \(i) out of order or altered")
                next += 1
                try c.send(m, to: 0)
            case .finished:
                try c.send(m, to: 0)
            case .shutdown:
                return "rank \(c.rank) done"
            default: throw CommunicatorError("rank \(c.rank): unexpected \(m)")
            }
        }
    }
}
