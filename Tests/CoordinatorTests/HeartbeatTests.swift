// Heartbeats in process: a rank cut off from rank 0 (a host off the network: nothing it sends
// arrives, nothing reaches it) is given up after the heartbeat timeout even when the worker
// timeout is an hour, and its trial completes elsewhere; a rank whose epochs outlast the
// heartbeat timeout is not given up while its heartbeats arrive.
import Cluster
import Foundation
import Search
import Storage
import TestSupport
import XCTest
@testable import Coordinator

/// A rank's link to the others; after it has sent `cutAfterEpochs` epoch reports it is cut:
/// what the rank sends is dropped and nothing reaches it.
private final class Link: Communicator, @unchecked Sendable {
    let inner: LocalCommunicator
    let cutAfterEpochs: Int
    private let lock = NSLock()
    private var epochsSent = 0
    var rank: Int { inner.rank }
    var size: Int { inner.size }
    var allowsConcurrentSend: Bool { true }
    var isCut: Bool { lock.withLock { epochsSent >= cutAfterEpochs } }

    init(_ inner: LocalCommunicator, cutAfterEpochs: Int) {
        self.inner = inner
        self.cutAfterEpochs = cutAfterEpochs
    }

    func send(_ message: Message, to rank: Int) throws {
        if isCut { return }
        if case .epoch = message { lock.withLock { epochsSent += 1 } }
        try inner.send(message, to: rank)
    }

    func poll() throws -> (source: Int, message: Message)? {
        if isCut { Thread.sleep(forTimeInterval: 0.05); return nil }
        return try inner.poll()
    }
}

final class HeartbeatTests: XCTestCase {
    /// Runs an 8-trial synthetic sweep on 4 in-process ranks; `cut` ranks lose their link after
    /// their first epoch report (and then wait for ever for their decision).
    func sweep(name: String, epochSeconds: Double, cut: Set<Int>, heartbeatInterval: Double, heartbeatTimeout: Double,
               workerTimeout: Double?) throws -> (SQLiteStore, SweepOutcome, [SweepEvent]) {
        try InProcessSweep.run(try SweepTests.spec(trials: 8, epochs: 3), size: 4, dir: try TemporaryDirectory(prefix: "heartbeat"), name: name,
                               heartbeatInterval: heartbeatInterval,
                               link: { cut.contains($0.rank) ? Link($0, cutAfterEpochs: 1) : $0 as any Communicator },
                               configure: { $0.workerTimeout = workerTimeout; $0.heartbeatTimeout = heartbeatTimeout }) { _ in
            SyntheticTrials(epochSeconds: epochSeconds)
        }
    }

    func testARankCutOffIsGivenUpAfterTheHeartbeatTimeoutAndItsTrialRunsElsewhere() throws {
        let started = Date()
        let (store, outcome, events) = try sweep(name: "cut", epochSeconds: 0.02, cut: [2], heartbeatInterval: 0.1,
                                                 heartbeatTimeout: 0.6, workerTimeout: 3600)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(outcome.unresponsive, [2])
        let trials = try store.trials()
        XCTAssertEqual(trials.count, 8)
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed }, "the cut rank's trial ran again elsewhere: \(trials.map(\.state))")
        XCTAssertFalse(trials.contains { $0.rank == 2 })
        let reasons = events.compactMap { e -> String? in if case .lost(2, let why) = e { return why }; return nil }
        XCTAssertEqual(reasons.count, 1, "\(events)")
        XCTAssertTrue(reasons.first?.contains("sent no heartbeat") ?? false, "\(reasons)")
        XCTAssertTrue(reasons.first?.contains("heartbeat timeout") ?? false, "\(reasons)")
        XCTAssertLessThan(elapsed, 30, "given up after 0.6 s without heartbeats, not after the hour of the worker timeout")
        let joined = events.compactMap { e -> Int? in if case .joined(let rank, _, _) = e { return rank }; return nil }
        XCTAssertEqual(Set(joined), [1, 2, 3], "each worker's hello is an event")
    }

    func testEpochsLongerThanTheHeartbeatTimeoutAreNotALoss() throws {
        let (store, outcome, events) = try sweep(name: "slow", epochSeconds: 0.5, cut: [], heartbeatInterval: 0.05,
                                                 heartbeatTimeout: 0.3, workerTimeout: nil)
        XCTAssertEqual(outcome.unresponsive, [], "\(events.filter { if case .lost = $0 { return true }; return false })")
        XCTAssertTrue(try store.trials().allSatisfy { $0.state == .completed })
    }

    func testWithoutHeartbeatsTheWorkerTimeoutStillJudges() throws {
        // A rank that sends no heartbeats (interval nil) is never judged by the heartbeat timeout.
        let (store, outcome, _) = try InProcessSweep.run(try SweepTests.spec(trials: 4, epochs: 2), size: 2, dir: try TemporaryDirectory(prefix: "heartbeat"),
                                                         name: "quiet", heartbeatInterval: nil, configure: { $0.heartbeatTimeout = 0.1 }) { _ in
            SyntheticTrials(epochSeconds: 0.4)
        }
        XCTAssertEqual(outcome.unresponsive, [])
        XCTAssertTrue(try store.trials().allSatisfy { $0.state == .completed })
    }
}
