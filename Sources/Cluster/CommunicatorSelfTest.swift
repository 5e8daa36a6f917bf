// CommunicatorSelfTest: the Communicator contract as one exchange every rank runs, so the same
// checks apply to the in-process world (unit tests) and to a real `mpirun` job
// (`hpsearch selftest communicator`, run under mpirun by the test suite).
import Foundation

public enum CommunicatorSelfTest {
    /// Runs the exchange on this rank. Rank 0 sends each worker a numbered burst (FIFO), a large
    /// blob (past MPI's eager limit) and a shutdown; each worker echoes what it got. With 3 ranks
    /// or more, before the shutdown, a stalled sender: rank 1 sends a blob and then makes no call
    /// for `stall` seconds (as a rank whose host lost its link half-way through a message), while
    /// rank 2 sends a few short messages; rank 0 must receive rank 2's at once, not after rank 1's.
    /// Throws on any violation; returns a one-line summary on rank 0.
    @discardableResult
    public static func run(_ c: any Communicator, burst: Int = 50, blobBytes: Int = 3 << 20, stall: Double = 3, timeout: Double = 30) throws -> String {
        func expect(_ ok: Bool, _ what: @autoclosure () -> String) throws {
            if !ok { throw CommunicatorError("rank \(c.rank): \(what())") }
        }
        let blob = (0..<blobBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let result = TrialResult(trial: 9, state: .completed, epochs: 3, seconds: 1.5)
        if c.rank == 0 {
            try expect(try c.poll() == nil, "poll returned a message nobody sent")
            let started = Date()
            for w in 1..<c.size {
                for i in 0..<burst { try c.send(.decision(trial: i, proceed: i % 2 == 0, reason: "n\(i)"), to: w) }
                try c.send(.finished(result, checkpoint: blob, validationProbabilities: [1, 2], testProbabilities: []), to: w)
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
            let exchanged = Date().timeIntervalSince(started)
            var stalled = ""
            if c.size >= 3 {
                let (others, late) = try stalledSender(c, blob: blob, stall: stall, timeout: timeout)
                try expect(others < stall / 2, String(format: "rank 2's messages waited %.2f s behind rank 1's stalled one (%.2f s)", others, late))
                stalled = String(format: "; rank 1 stalled %g s mid-message (its message came in %.2f s) and rank 2's still came in %.2f s", stall, late, others)
            }
            for w in 1..<c.size { try c.send(.shutdown, to: w) }
            return String(format: "%d ranks: %d messages and a %.1f MB blob per worker, FIFO and intact, in %.3f s",
                          c.size, burst, Double(blobBytes) / 1e6, exchanged) + stalled
        }
        var next = 0
        while true {
            guard let (source, m) = try c.receive(timeout: timeout) else { throw CommunicatorError("rank \(c.rank): timed out") }
            try expect(source == 0, "message from rank \(source), expected 0")
            switch m {
            case .decision(_, _, "stall"):
                // Start the blob, then no call at all: MPI cannot finish it until this rank
                // polls again.
                try c.send(.finished(result, checkpoint: blob, validationProbabilities: [], testProbabilities: []), to: 0)
                Thread.sleep(forTimeInterval: stall)
            case .decision(_, _, "chatter"):
                Thread.sleep(forTimeInterval: stall / 15)
                for i in 0..<10 { try c.send(.decision(trial: i, proceed: true, reason: "chatter"), to: 0) }
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

    /// Rank 0's side of the stalled sender: seconds until rank 2's messages had all arrived, and
    /// until rank 1's blob had.
    private static func stalledSender(_ c: any Communicator, blob: [UInt8], stall: Double, timeout: Double) throws -> (Double, Double) {
        let started = Date()
        try c.send(.decision(trial: -1, proceed: true, reason: "stall"), to: 1)
        try c.send(.decision(trial: -1, proceed: true, reason: "chatter"), to: 2)
        var chatter = 0, others: Double?, late: Double?
        while others == nil || late == nil {
            guard let (source, m) = try c.receive(timeout: max(0, timeout - Date().timeIntervalSince(started))) else {
                throw CommunicatorError("rank 0: timed out waiting for the stalled sender's exchange")
            }
            switch (source, m) {
            case (2, .decision(let i, _, "chatter")):
                guard i == chatter else { throw CommunicatorError("rank 2's message \(i) arrived out of order") }
                chatter += 1
                if chatter == 10 { others = Date().timeIntervalSince(started) }
            case (1, .finished(_, let b, _, _)):
                guard b == blob else { throw CommunicatorError("rank 1's stalled blob arrived altered") }
                late = Date().timeIntervalSince(started)
            default: throw CommunicatorError("rank 0: unexpected \(m) from rank \(source) during the stalled sender's exchange")
            }
        }
        return (others!, late!)
    }
}
