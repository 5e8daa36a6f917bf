// WriteBehindStore's batches: what they record, when it is committed, and what a failure does.
// (Outside batches it runs the Store contract suite: WriteBehindStoreContractTests.)
import Foundation
import Search
import Storage
import TestSupport
import XCTest

final class WriteBehindStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "hpsearch-write-behind")
    }

    override func tearDown() {
        directory = nil
    }

    private func sqlite() throws -> SQLiteStore {
        try SQLiteStore(path: directory.file("hpsearch-\(UUID().uuidString).db").path)
    }

    /// A store whose transactions take a while (a busy disk), so that batches meet a busy writer.
    private final class SlowStore: Store {
        let base: any Store
        let delay: TimeInterval
        private(set) var commits = 0
        init(_ base: any Store, delay: TimeInterval) { self.base = base; self.delay = delay }
        func transaction<T>(_ body: () throws -> T) throws -> T {
            try base.transaction {
                let value = try body()
                Thread.sleep(forTimeInterval: delay)
                commits += 1
                return value
            }
        }
        func setSweep(_ sweep: SweepRecord) throws { try base.setSweep(sweep) }
        func sweep() throws -> SweepRecord? { try base.sweep() }
        func upsertTrial(_ trial: TrialRecord) throws { try base.upsertTrial(trial) }
        func trial(_ index: Int) throws -> TrialRecord? { try base.trial(index) }
        func trials() throws -> [TrialRecord] { try base.trials() }
        func appendEpoch(_ epoch: EpochRecord) throws { try base.appendEpoch(epoch) }
        func appendEpochs(_ epochs: [EpochRecord]) throws { try base.appendEpochs(epochs) }
        func epochs(trial: Int) throws -> [EpochRecord] { try base.epochs(trial: trial) }
        func allEpochs() throws -> [EpochRecord] { try base.allEpochs() }
        func appendHealth(_ health: EpochHealth) throws { try base.appendHealth(health) }
        func health(trial: Int) throws -> [EpochHealth] { try base.health(trial: trial) }
        func allHealth() throws -> [EpochHealth] { try base.allHealth() }
        func putArtifact(_ artifact: ArtifactRecord) throws { try base.putArtifact(artifact) }
        func artifacts(trial: Int) throws -> [ArtifactRecord] { try base.artifacts(trial: trial) }
        func deleteArtifact(trial: Int, kind: String) throws { try base.deleteArtifact(trial: trial, kind: kind) }
        func putEnsemble(_ record: EnsembleRecord) throws -> Int { try base.putEnsemble(record) }
        func ensembles() throws -> [EnsembleRecord] { try base.ensembles() }
        func putConfiguration(_ record: ConfigurationRecord) throws { try base.putConfiguration(record) }
        func configurations() throws -> [ConfigurationRecord] { try base.configurations() }
    }

    /// The same writes, in batches or one by one, leave the same rows.
    func testBatchesLeaveWhatImmediateWritesLeave() throws {
        let direct = try sqlite(), wrapped = try sqlite()
        let store = WriteBehindStore(wrapped)
        func writes(_ s: any Store, trial i: Int) throws {
            try s.upsertTrial(Fixture.trial(i, state: .running))
            for e in 1...3 { try s.appendEpoch(Fixture.epoch(trial: i, e)) }
            try s.appendEpochs([Fixture.epoch(trial: i, 4), Fixture.epoch(trial: i, 5)])
            try s.appendHealth(Fixture.health(trial: i, 1))
            try s.putArtifact(Fixture.artifact(trial: i, "checkpoint"))
            try s.upsertTrial(Fixture.fullTrial(i))
        }
        try direct.setSweep(Fixture.sweep)
        for i in 0..<40 { try writes(direct, trial: i) }
        try store.setSweep(Fixture.sweep)
        for first in stride(from: 0, to: 40, by: 8) {
            try store.batch { for i in first..<(first + 8) { try writes(store, trial: i) } }
        }
        try store.flush()
        XCTAssertEqual(try wrapped.trials(), try direct.trials())
        XCTAssertEqual(try wrapped.allEpochs(), try direct.allEpochs())
        // (NaN fields: compared by their text.)
        XCTAssertEqual(String(describing: try wrapped.allHealth()), String(describing: try direct.allHealth()))
        XCTAssertEqual(try wrapped.allHealth().count, 40)
        XCTAssertEqual(try wrapped.artifacts(trial: 39), try direct.artifacts(trial: 39))
    }

    /// A read inside a batch sees what the batch recorded before it; after `batch` returns, any
    /// read sees every write (it waits for the writer).
    func testReadsSeeEveryEarlierWrite() throws {
        let base = try sqlite()
        let store = WriteBehindStore(base)
        try store.batch {
            try store.upsertTrial(Fixture.trial(0))
            XCTAssertEqual(try store.trial(0), Fixture.trial(0), "a read inside the batch")
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        }
        XCTAssertEqual(try store.epochs(trial: 0), [Fixture.epoch(trial: 0, 1)])
        try store.batch { try store.appendEpoch(Fixture.epoch(trial: 0, 2)) }
        try store.flush()
        XCTAssertEqual(try base.epochs(trial: 0).map(\.epoch), [1, 2], "flush leaves nothing to the writer thread")
    }

    /// A body that throws drops what it recorded; a nested transaction that throws drops only its own.
    func testAThrowDropsTheBatchsWritesAndANestedOneOnlyItsOwn() throws {
        struct Stop: Error {}
        let base = try sqlite()
        let store = WriteBehindStore(base)
        try store.upsertTrial(Fixture.trial(0))
        XCTAssertThrowsError(try store.batch {
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
            throw Stop()
        }) { XCTAssertTrue($0 is Stop) }
        try store.batch {
            try store.appendEpoch(Fixture.epoch(trial: 0, 2))
            do {
                try store.transaction {
                    try store.appendEpoch(Fixture.epoch(trial: 0, 3))
                    throw Stop()
                }
            } catch is Stop {}
            try store.appendEpoch(Fixture.epoch(trial: 0, 4))
        }
        try store.flush()
        XCTAssertEqual(try base.epochs(trial: 0).map(\.epoch), [2, 4])
    }

    /// A batch that fails to commit leaves nothing of itself, keeps the batches before it, and
    /// its error comes back from every later call, with the store's own message.
    func testAFailedBatchIsRolledBackAndItsErrorIsSticky() throws {
        let base = try sqlite()
        let store = WriteBehindStore(base)
        try store.batch { try store.upsertTrial(Fixture.trial(0)) }
        try store.batch {
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
            try store.appendEpoch(Fixture.epoch(trial: 9, 1))  // no trial 9: the commit fails
        }
        XCTAssertThrowsError(try store.flush()) { error in
            XCTAssertTrue("\(error)".contains("trial 9"), "\(error)")
        }
        XCTAssertThrowsError(try store.trials(), "sticky")
        XCTAssertThrowsError(try store.batch { try store.upsertTrial(Fixture.trial(1)) }, "sticky")
        XCTAssertEqual(try base.trials().map(\.index), [0], "the first batch stands")
        XCTAssertEqual(try base.allEpochs(), [], "the failed batch left nothing")
    }

    /// While the writer is busy, batches that return wait, recorded, and go with the next one:
    /// fewer commits than batches, nothing lost or reordered.
    func testBatchesThatMeetABusyWriterGoTogether() throws {
        let base = try sqlite()
        let slow = SlowStore(base, delay: 0.2)
        let store = WriteBehindStore(slow)
        try store.upsertTrial(Fixture.trial(0))
        let before = slow.commits
        for e in 1...20 {
            try store.batch { try store.appendEpoch(Fixture.epoch(trial: 0, e, loss: Double(e))) }
        }
        try store.flush()
        XCTAssertEqual(try base.epochs(trial: 0), (1...20).map { Fixture.epoch(trial: 0, $0, loss: Double($0)) })
        let commits = slow.commits - before
        XCTAssertGreaterThanOrEqual(commits, 2)
        XCTAssertLessThan(commits, 20, "\(commits) commits for 20 batches")
    }

    /// Writes left waiting by a busy writer are committed by `handOff` once it is free, with no
    /// batch after them; while it is busy, `handOff` does not wait.
    func testHandOffCommitsWhatWaitsOnceTheWriterIsFree() throws {
        let base = try sqlite()
        let store = WriteBehindStore(SlowStore(base, delay: 0.3))
        try store.upsertTrial(Fixture.trial(0))
        try store.batch { try store.appendEpoch(Fixture.epoch(trial: 0, 1)) }
        try store.batch { try store.appendEpoch(Fixture.epoch(trial: 0, 2)) }  // waits: the writer is busy
        let started = Date()
        try store.handOff()
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.2, "handOff does not wait for a busy writer")
        var committed: [Int] = []
        let deadline = Date().addingTimeInterval(10)
        while committed != [1, 2], Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            try store.handOff()
            // Read the file through a second connection: the wrapper's own reads would flush.
            committed = try SQLiteStore(path: base.path, readOnly: true).epochs(trial: 0).map(\.epoch)
        }
        XCTAssertEqual(committed, [1, 2], "epoch 2 is committed without another batch or a flush")
        try store.flush()
    }

    /// A batch inside a transaction of the wrapper runs inside it: one atomic unit.
    func testABatchInsideATransactionIsPartOfIt() throws {
        struct Stop: Error {}
        let base = try sqlite()
        let store = WriteBehindStore(base)
        XCTAssertThrowsError(try store.transaction {
            try store.upsertTrial(Fixture.trial(0))
            try store.batch { try store.appendEpoch(Fixture.epoch(trial: 0, 1)) }
            throw Stop()
        })
        XCTAssertEqual(try base.trials(), [])
        XCTAssertEqual(try base.allEpochs(), [])
    }
}
