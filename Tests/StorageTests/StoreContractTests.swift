// The Store contract, checked against both stores: the checks live in `StoreContract`, and each
// concrete XCTestCase below lists them once (so no abstract test class runs without a store).
// A check added here must be listed in both classes.
import Foundation
import Search
import Storage
import TestSupport
import XCTest

protocol StoreContract {
    func makeStore() throws -> Store
}

extension StoreContract {
    func checkEmptyStoreReadsNothing() throws {
        let store = try makeStore()
        XCTAssertNil(try store.sweep())
        XCTAssertNil(try store.trial(0))
        XCTAssertEqual(try store.trials(), [])
        XCTAssertEqual(try store.epochs(trial: 0), [])
        XCTAssertEqual(try store.allEpochs(), [])
        XCTAssertEqual(try store.artifacts(trial: 0), [])
        XCTAssertEqual(try store.ensembles(), [])
    }

    func checkSweepIsSetOnce() throws {
        let store = try makeStore()
        try store.setSweep(Fixture.sweep)
        assertSame(try store.sweep(), Fixture.sweep)

        // The same sweep again (a resume) replaces the record.
        var again = Fixture.sweep
        again.specText += "# resumed\n"
        again.environment["ranks"] = "16"
        try store.setSweep(again)
        assertSame(try store.sweep(), again)

        var other = Fixture.sweep
        other.name = "fashion-cnn"
        assertStoreError(try store.setSweep(other), contains: "'fashion-mlp'", "'fashion-cnn'", "new run directory")
        assertSame(try store.sweep(), again)
    }

    func checkTrialsRoundTrip() throws {
        let store = try makeStore()
        let full = Fixture.fullTrial(4)
        var topSeed = Fixture.trial(5)
        topSeed.seed = 1 << 63
        let minimal = Fixture.trial(6)
        for trial in [full, topSeed, minimal] { try store.upsertTrial(trial) }

        assertSame(try store.trial(4), full)
        XCTAssertEqual(try store.trial(4)?.configuration, Fixture.configuration, "int, double, string and bool values")
        XCTAssertEqual(try store.trial(4)?.seed, UInt64.max - 4)
        XCTAssertEqual(try store.trial(5), topSeed)
        XCTAssertEqual(try store.trial(6), minimal)
        XCTAssertNil(try store.trial(7))
        XCTAssertEqual(try store.trials().count, 3)
    }

    func checkEveryTrialStateRoundTrips() throws {
        let store = try makeStore()
        for (index, state) in TrialState.allCases.enumerated() {
            try store.upsertTrial(Fixture.trial(index, state: state))
        }
        XCTAssertEqual(try store.trials().map(\.state), TrialState.allCases)
    }

    func checkUpsertReplacesTheTrial() throws {
        let store = try makeStore()
        try store.upsertTrial(Fixture.fullTrial(2, state: .running))
        var replaced = Fixture.trial(2, state: .lost)  // optional fields back to nil
        replaced.configuration = Configuration(["optimizer": .string("sgd")])
        replaced.seed = 99
        try store.upsertTrial(replaced)
        XCTAssertEqual(try store.trial(2), replaced)
        XCTAssertEqual(try store.trials(), [replaced])
    }

    func checkTrialsAreOrderedByIndex() throws {
        let store = try makeStore()
        for index in [5, -1, 3, 0, 100, 2] { try store.upsertTrial(Fixture.trial(index)) }
        XCTAssertEqual(try store.trials().map(\.index), [-1, 0, 2, 3, 5, 100])
    }

    func checkConfigurationsComeBackInCanonicalForm() throws {
        // JSON does not keep 2.0 apart from 2: both stores give back .int(2).
        let store = try makeStore()
        var trial = Fixture.trial(0)
        trial.configuration = Configuration(["units": .double(256), "rate": .double(0.5)])
        try store.upsertTrial(trial)
        XCTAssertEqual(try store.trial(0)?.configuration, Configuration(["units": .int(256), "rate": .double(0.5)]))
    }

    func checkUnstorableConfigurationIsRefused() throws {
        let store = try makeStore()
        var trial = Fixture.trial(0)
        trial.configuration = Configuration(["rate": .double(.nan)])
        assertStoreError(try store.upsertTrial(trial), contains: "trial 0's configuration", "NaN")
        XCTAssertNil(try store.trial(0))
    }

    func checkEpochsRoundTripAndReplace() throws {
        let store = try makeStore()
        try store.upsertTrial(Fixture.trial(1))
        let first = Fixture.epoch(trial: 1, 1)
        try store.appendEpoch(first)
        XCTAssertEqual(try store.epochs(trial: 1), [first])

        // A resumed trial runs epoch 1 again: the new row replaces the old one.
        let rerun = Fixture.epoch(trial: 1, 1, loss: 0.123)
        try store.appendEpoch(rerun)
        XCTAssertEqual(try store.epochs(trial: 1), [rerun])
        XCTAssertEqual(try store.allEpochs(), [rerun])

        // The task's further metrics come back exactly, non-finite ones included.
        var binary = Fixture.epoch(trial: 1, 2)
        binary.metrics = ["val_auc": 0.91234567890123, "val_f1": 1.0 / 3, "val_odd": -.infinity]
        try store.appendEpoch(binary)
        XCTAssertEqual(try store.epochs(trial: 1).last, binary)
        var broken = Fixture.epoch(trial: 1, 3)
        broken.metrics = ["val_auc": .nan]
        try store.appendEpoch(broken)
        XCTAssertEqual(try store.epochs(trial: 1).last?.metrics["val_auc"]?.isNaN, true)
    }

    func checkEpochsAreOrderedByTrialThenEpoch() throws {
        let store = try makeStore()
        for trial in [2, 0, 1] { try store.upsertTrial(Fixture.trial(trial)) }
        for (trial, epoch) in [(2, 3), (0, 2), (2, 1), (1, 1), (0, 1), (2, 2), (0, 10), (0, 3)] {
            try store.appendEpoch(Fixture.epoch(trial: trial, epoch))
        }
        XCTAssertEqual(try store.epochs(trial: 0).map(\.epoch), [1, 2, 3, 10])
        XCTAssertEqual(try store.epochs(trial: 2).map(\.epoch), [1, 2, 3])
        XCTAssertEqual(try store.epochs(trial: 2), [1, 2, 3].map { Fixture.epoch(trial: 2, $0) })
        XCTAssertEqual(try store.epochs(trial: 3), [])
        XCTAssertEqual(try store.allEpochs().map { [$0.trial, $0.epoch] },
                       [[0, 1], [0, 2], [0, 3], [0, 10], [1, 1], [2, 1], [2, 2], [2, 3]])
    }

    func checkNonFiniteNumbersRoundTrip() throws {
        // A diverged trial reports NaN and infinite losses; they must not come back as 0 or nil.
        let store = try makeStore()
        var trial = Fixture.trial(0, state: .diverged)
        trial.bestValue = .infinity
        trial.bestValidationLoss = .nan
        trial.bestValidationAccuracy = -.infinity
        try store.upsertTrial(trial)
        let read = try XCTUnwrap(try store.trial(0))
        XCTAssertEqual(read.bestValue, .infinity)
        XCTAssertTrue(try XCTUnwrap(read.bestValidationLoss).isNaN)
        XCTAssertEqual(read.bestValidationAccuracy, -.infinity)

        let epoch = EpochRecord(trial: 0, epoch: 1, trainLoss: .nan, trainAccuracy: -0.0, validationLoss: .infinity,
                                validationAccuracy: .leastNonzeroMagnitude, learningRate: .greatestFiniteMagnitude,
                                seconds: -.infinity)
        try store.appendEpoch(epoch)
        let back = try XCTUnwrap(try store.epochs(trial: 0).first)
        XCTAssertTrue(back.trainLoss.isNaN)
        XCTAssertEqual(back.trainAccuracy, 0)
        XCTAssertEqual(back.validationLoss, .infinity)
        XCTAssertEqual(back.validationAccuracy, .leastNonzeroMagnitude)
        XCTAssertEqual(back.learningRate, .greatestFiniteMagnitude)
        XCTAssertEqual(back.seconds, -.infinity)
    }

    func checkEpochsAndArtifactsNeedTheirTrial() throws {
        let store = try makeStore()
        assertStoreError(try store.appendEpoch(Fixture.epoch(trial: 9, 1)), contains: "epoch 1 for trial 9", "upsertTrial")
        assertStoreError(try store.putArtifact(Fixture.artifact(trial: 9, "checkpoint")),
                         contains: "artifact 'checkpoint' for trial 9", "upsertTrial")
        XCTAssertEqual(try store.allEpochs(), [])
        XCTAssertEqual(try store.artifacts(trial: 9), [])
    }

    /// `appendEpochs` stores what `appendEpoch` on each would, in order (across the multi-row
    /// statements' boundaries, with repeats replacing), and is all or nothing.
    func checkAppendEpochsIsAppendEpochInOrderAndAtomic() throws {
        let batched = try makeStore(), single = try makeStore()
        for store in [batched, single] { for t in 0..<3 { try store.upsertTrial(Fixture.trial(t)) } }
        // 2·32 + 7 rows: two full statements and seven single ones; some (trial, epoch) twice,
        // the later with another loss, inside one statement and across two; non-finite values too.
        var epochs: [EpochRecord] = []
        for k in 0..<71 { epochs.append(Fixture.epoch(trial: k % 3, 1 + k / 3)) }
        epochs[5] = Fixture.epoch(trial: 2, 1, loss: 9)           // again in the first statement
        epochs[40] = Fixture.epoch(trial: 1, 2, loss: .nan)       // again in the second
        epochs[70] = Fixture.epoch(trial: 0, 3, loss: .infinity)  // again among the single rows
        epochs[33].metrics = ["val_auc": 0.75]
        try batched.appendEpochs(epochs)
        for e in epochs { try single.appendEpoch(e) }
        XCTAssertEqual(Self.bits(try batched.allEpochs()), Self.bits(try single.allEpochs()))
        XCTAssertEqual(try batched.epochs(trial: 2).first?.trainLoss, 9)
        try batched.appendEpochs([])
        try batched.appendEpochs([Fixture.epoch(trial: 0, 99)])
        try single.appendEpoch(Fixture.epoch(trial: 0, 99))
        XCTAssertEqual(Self.bits(try batched.allEpochs()), Self.bits(try single.allEpochs()))

        // A trial not stored, in a full statement or among the single rows: nothing is stored,
        // and the error names the first epoch that needs one, as appendEpoch's does.
        let before = try batched.allEpochs()
        for bad in [3, 68] {
            var failing = (0..<70).map { Fixture.epoch(trial: $0 % 3, 200 + $0) }
            failing[bad] = Fixture.epoch(trial: 9, 7)
            failing[bad + 1] = Fixture.epoch(trial: 8, 5)
            assertStoreError(try batched.appendEpochs(failing), contains: "epoch 7 for trial 9", "upsertTrial")
            XCTAssertEqual(Self.bits(try batched.allEpochs()), Self.bits(before))
        }
        // Inside a transaction it is one write: it fails alone, the others stand.
        try batched.transaction {
            try batched.appendEpoch(Fixture.epoch(trial: 1, 300))
            XCTAssertThrowsError(try batched.appendEpochs((0..<40).map { Fixture.epoch(trial: $0 == 39 ? 9 : 0, 400 + $0) }))
        }
        XCTAssertEqual(try batched.allEpochs().count, before.count + 1)
    }

    /// Epochs as bit patterns (NaN equal to itself), for comparing stores bit for bit.
    static func bits(_ epochs: [EpochRecord]) -> [String] {
        epochs.map { e in
            ([e.trial, e.epoch].map(String.init) + [e.trainLoss, e.trainAccuracy, e.validationLoss, e.validationAccuracy, e.learningRate,
                                                   e.seconds].map { String($0.bitPattern, radix: 16) }
             + e.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(String($0.value.bitPattern, radix: 16))" }).joined(separator: " ")
        }
    }

    func checkArtifactsAreReplacedByTrialAndKind() throws {
        let store = try makeStore()
        try store.upsertTrial(Fixture.trial(1))
        try store.upsertTrial(Fixture.trial(2))
        let checkpoint = Fixture.artifact(trial: 1, "checkpoint", checksum: UInt64.max)
        let predictions = Fixture.artifact(trial: 1, "validation_predictions", checksum: 1 << 63)
        let other = Fixture.artifact(trial: 2, "checkpoint")
        for artifact in [predictions, checkpoint, other] { try store.putArtifact(artifact) }
        XCTAssertEqual(try store.artifacts(trial: 1), [checkpoint, predictions], "ordered by kind")

        let newer = Fixture.artifact(trial: 1, "checkpoint", path: "trials/1/checkpoint-2.bin", checksum: 42)
        try store.putArtifact(newer)
        XCTAssertEqual(try store.artifacts(trial: 1), [newer, predictions])
        XCTAssertEqual(try store.artifacts(trial: 2), [other])
        XCTAssertEqual(try store.artifacts(trial: 3), [])
    }

    func checkArtifactsCanBeDeleted() throws {
        let store = try makeStore()
        try store.upsertTrial(Fixture.trial(1))
        let state = Fixture.artifact(trial: 1, "epoch_state"), checkpoint = Fixture.artifact(trial: 1, "checkpoint")
        try store.putArtifact(state)
        try store.putArtifact(checkpoint)
        try store.deleteArtifact(trial: 1, kind: "epoch_state")
        try store.deleteArtifact(trial: 1, kind: "never-stored")
        XCTAssertEqual(try store.artifacts(trial: 1), [checkpoint])
        // A deletion rolls back with its transaction.
        XCTAssertThrowsError(try store.transaction { try store.deleteArtifact(trial: 1, kind: "checkpoint"); throw Abort() })
        XCTAssertEqual(try store.artifacts(trial: 1), [checkpoint])
    }

    func checkEnsembleIDsAreAssigned() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.putEnsemble(Fixture.ensemble(method: "average")), 1)
        XCTAssertEqual(try store.putEnsemble(Fixture.ensemble(method: "greedy")), 2)
        XCTAssertEqual(try store.putEnsemble(Fixture.ensemble(id: 10, method: "distilled")), 10)
        XCTAssertEqual(try store.putEnsemble(Fixture.ensemble(method: "average")), 11, "the largest id + 1")
        XCTAssertEqual(try store.putEnsemble(Fixture.ensemble(id: 2, method: "greedy", members: [7])), 2, "replaces id 2")
        let stored = try store.ensembles()
        XCTAssertEqual(stored.map(\.id), [1, 2, 10, 11])
        XCTAssertEqual(stored.map(\.method), ["average", "greedy", "distilled", "average"])
        XCTAssertEqual(stored[1].members, [7])
        assertStoreError(try store.putEnsemble(Fixture.ensemble(id: -1)), contains: "ensemble id -1", "pass 0")
    }

    func checkConfigurationRecordsRoundTripReplaceAndRollBack() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.configurations(), [])
        let a = ConfigurationRecord.of(index: 2, values: [0.5, 0.7, .nan])
        XCTAssertEqual(a.repeats, 2)
        XCTAssertEqual(try XCTUnwrap(a.mean), 0.6, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(a.standardDeviation), (0.02).squareRoot(), accuracy: 1e-15)
        let lone = ConfigurationRecord.of(index: 0, values: [0.25])
        XCTAssertNil(lone.standardDeviation)
        try store.putConfiguration(a)
        try store.putConfiguration(lone)
        try store.putConfiguration(ConfigurationRecord(index: 1, repeats: 0, mean: nil, standardDeviation: nil))
        XCTAssertEqual(try store.configurations().map(\.index), [0, 1, 2])
        XCTAssertEqual(try store.configurations().last, a)
        let replaced = ConfigurationRecord.of(index: 2, values: [0.5, 0.7, 0.9])
        try store.putConfiguration(replaced)
        XCTAssertEqual(try store.configurations().last, replaced)
        XCTAssertThrowsError(try store.transaction {
            try store.putConfiguration(ConfigurationRecord.of(index: 2, values: [1]))
            try store.putConfiguration(ConfigurationRecord.of(index: 7, values: [1]))
            throw StoreError("rolled back")
        })
        XCTAssertEqual(try store.configurations(), [lone, ConfigurationRecord(index: 1, repeats: 0, mean: nil, standardDeviation: nil), replaced])
    }

    func checkEnsemblesRoundTrip() throws {
        let store = try makeStore()
        var record = Fixture.ensemble(id: 5)
        record.weights = [0.1, 1.0 / 3, 1e-17, 0.7]
        record.members = [0, 12, -3, Int.max]
        try store.putEnsemble(record)
        assertSame(try store.ensembles(), [record])

        var badWeights = Fixture.ensemble()
        badWeights.weights = [.nan]
        assertStoreError(try store.putEnsemble(badWeights), contains: "ensemble weights")
        XCTAssertEqual(try store.ensembles().count, 1)
    }

    func checkTransactionCommitsAndReturnsTheBodysValue() throws {
        let store = try makeStore()
        let value = try store.transaction { () throws -> String in
            try store.setSweep(Fixture.sweep)
            try store.upsertTrial(Fixture.trial(0))
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
            return "done"
        }
        XCTAssertEqual(value, "done")
        XCTAssertNotNil(try store.sweep())
        XCTAssertEqual(try store.allEpochs().count, 1)
    }

    func checkHealthRoundTripsReplacesAndNeedsItsTrial() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.allHealth().count, 0)
        try store.upsertTrial(Fixture.trial(2))
        try store.upsertTrial(Fixture.trial(0))
        for (trial, epoch) in [(2, 1), (2, 0), (0, 0)] { try store.appendHealth(Fixture.health(trial: trial, epoch)) }
        XCTAssertEqual(try store.health(trial: 2).map { $0.encoded() }, [Fixture.health(trial: 2, 0).encoded(), Fixture.health(trial: 2, 1).encoded()])
        XCTAssertEqual(try store.allHealth().map { [$0.trial, $0.epoch] }, [[0, 0], [2, 0], [2, 1]])
        // A resumed trial re-measuring an epoch replaces it, fewer layers included.
        var again = Fixture.health(trial: 2, 1, gradient: 9)
        again.layers.removeLast()
        try store.appendHealth(again)
        XCTAssertEqual(try store.health(trial: 2).last?.encoded(), again.encoded())
        XCTAssertThrowsError(try store.appendHealth(Fixture.health(trial: 5, 0))) { XCTAssertTrue("\($0)".contains("trial 5"), "\($0)") }
        XCTAssertEqual(try store.health(trial: 5).count, 0)
        var twice = Fixture.health(trial: 0, 3)
        twice.layers[1].layer = twice.layers[0].layer
        XCTAssertThrowsError(try store.appendHealth(twice))
        XCTAssertEqual(try store.health(trial: 0).count, 1, "a refused record stores nothing")
    }

    func checkAThrowRollsBackEveryWriteOfTheTransaction() throws {
        let store = try makeStore()
        try store.setSweep(Fixture.sweep)
        try store.upsertTrial(Fixture.trial(0))
        try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        try store.putArtifact(Fixture.artifact(trial: 0, "checkpoint"))
        try store.putEnsemble(Fixture.ensemble())
        try store.appendHealth(Fixture.health(trial: 0, 0))
        let before = try Snapshot(store)

        XCTAssertThrowsError(try store.transaction {
            var resumed = Fixture.sweep
            resumed.specText = "changed"
            try store.setSweep(resumed)
            try store.upsertTrial(Fixture.fullTrial(0, state: .completed))      // replaces
            try store.upsertTrial(Fixture.trial(1))                             // inserts
            try store.appendEpoch(Fixture.epoch(trial: 0, 1, loss: 9))          // replaces
            try store.appendEpoch(Fixture.epoch(trial: 0, 2))                   // inserts
            try store.appendEpoch(Fixture.epoch(trial: 1, 1))                   // new trial's epoch
            try store.putArtifact(Fixture.artifact(trial: 0, "checkpoint", path: "elsewhere"))
            try store.putArtifact(Fixture.artifact(trial: 1, "checkpoint"))
            try store.putEnsemble(Fixture.ensemble(id: 1, method: "distilled"))
            try store.putEnsemble(Fixture.ensemble())
            try store.appendHealth(Fixture.health(trial: 0, 0, gradient: 7))   // replaces
            try store.appendHealth(Fixture.health(trial: 1, 1))                 // inserts
            throw Abort()
        }) { error in
            XCTAssertEqual(error as? Abort, Abort(), "the body's own error comes out")
        }
        XCTAssertEqual(try Snapshot(store), before)

        // The store still works after the rollback.
        try store.transaction { try store.upsertTrial(Fixture.trial(1)) }
        XCTAssertEqual(try store.trials().count, 2)
    }

    func checkNestedTransactions() throws {
        let store = try makeStore()
        // Inner commits with the outer.
        try store.transaction {
            try store.upsertTrial(Fixture.trial(0))
            try store.transaction {
                try store.upsertTrial(Fixture.trial(1))
                try store.transaction { try store.appendEpoch(Fixture.epoch(trial: 1, 1)) }
            }
        }
        XCTAssertEqual(try store.trials().map(\.index), [0, 1])
        XCTAssertEqual(try store.allEpochs().count, 1)

        // The outer throws: the inner's committed writes go too.
        XCTAssertThrowsError(try store.transaction {
            try store.upsertTrial(Fixture.trial(2))
            try store.transaction { try store.upsertTrial(Fixture.trial(3)) }
            throw Abort()
        })
        XCTAssertEqual(try store.trials().map(\.index), [0, 1])

        // The inner throws and the outer carries on: only the inner's writes go.
        try store.transaction {
            try store.upsertTrial(Fixture.trial(4))
            XCTAssertThrowsError(try store.transaction {
                try store.upsertTrial(Fixture.trial(5))
                try store.appendEpoch(Fixture.epoch(trial: 1, 1, loss: 7))
                try store.transaction { try store.upsertTrial(Fixture.trial(6)) }
                throw Abort()
            })
            try store.upsertTrial(Fixture.trial(7))
        }
        XCTAssertEqual(try store.trials().map(\.index), [0, 1, 4, 7])
        XCTAssertEqual(try store.allEpochs(), [Fixture.epoch(trial: 1, 1)])
    }

    func checkAFailedWriteInsideATransactionLeavesTheOthers() throws {
        let store = try makeStore()
        try store.transaction {
            try store.upsertTrial(Fixture.trial(0))
            XCTAssertThrowsError(try store.appendEpoch(Fixture.epoch(trial: 8, 1)))
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        }
        XCTAssertEqual(try store.trials().count, 1)
        XCTAssertEqual(try store.allEpochs(), [Fixture.epoch(trial: 0, 1)])
    }
}

final class InMemoryStoreContractTests: XCTestCase, StoreContract {
    func makeStore() throws -> Store { InMemoryStore() }

    func testEmptyStoreReadsNothing() throws { try checkEmptyStoreReadsNothing() }
    func testSweepIsSetOnce() throws { try checkSweepIsSetOnce() }
    func testTrialsRoundTrip() throws { try checkTrialsRoundTrip() }
    func testEveryTrialStateRoundTrips() throws { try checkEveryTrialStateRoundTrips() }
    func testUpsertReplacesTheTrial() throws { try checkUpsertReplacesTheTrial() }
    func testTrialsAreOrderedByIndex() throws { try checkTrialsAreOrderedByIndex() }
    func testConfigurationsComeBackInCanonicalForm() throws { try checkConfigurationsComeBackInCanonicalForm() }
    func testUnstorableConfigurationIsRefused() throws { try checkUnstorableConfigurationIsRefused() }
    func testEpochsRoundTripAndReplace() throws { try checkEpochsRoundTripAndReplace() }
    func testEpochsAreOrderedByTrialThenEpoch() throws { try checkEpochsAreOrderedByTrialThenEpoch() }
    func testNonFiniteNumbersRoundTrip() throws { try checkNonFiniteNumbersRoundTrip() }
    func testEpochsAndArtifactsNeedTheirTrial() throws { try checkEpochsAndArtifactsNeedTheirTrial() }
    func testAppendEpochsIsAppendEpochInOrderAndAtomic() throws { try checkAppendEpochsIsAppendEpochInOrderAndAtomic() }
    func testArtifactsAreReplacedByTrialAndKind() throws { try checkArtifactsAreReplacedByTrialAndKind() }
    func testArtifactsCanBeDeleted() throws { try checkArtifactsCanBeDeleted() }
    func testEnsembleIDsAreAssigned() throws { try checkEnsembleIDsAreAssigned() }
    func testEnsemblesRoundTrip() throws { try checkEnsemblesRoundTrip() }
    func testConfigurationRecordsRoundTripReplaceAndRollBack() throws { try checkConfigurationRecordsRoundTripReplaceAndRollBack() }
    func testHealthRoundTripsReplacesAndNeedsItsTrial() throws { try checkHealthRoundTripsReplacesAndNeedsItsTrial() }
    func testTransactionCommitsAndReturnsTheBodysValue() throws { try checkTransactionCommitsAndReturnsTheBodysValue() }
    func testAThrowRollsBackEveryWriteOfTheTransaction() throws { try checkAThrowRollsBackEveryWriteOfTheTransaction() }
    func testNestedTransactions() throws { try checkNestedTransactions() }
    func testAFailedWriteInsideATransactionLeavesTheOthers() throws { try checkAFailedWriteInsideATransactionLeavesTheOthers() }
}

final class SQLiteStoreContractTests: XCTestCase, StoreContract {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "hpsearch-store-contract")
    }

    override func tearDown() {
        directory = nil
    }

    func makeStore() throws -> Store {
        try SQLiteStore(path: directory.file("hpsearch-\(UUID().uuidString).db").path)
    }

    func testEmptyStoreReadsNothing() throws { try checkEmptyStoreReadsNothing() }
    func testSweepIsSetOnce() throws { try checkSweepIsSetOnce() }
    func testTrialsRoundTrip() throws { try checkTrialsRoundTrip() }
    func testEveryTrialStateRoundTrips() throws { try checkEveryTrialStateRoundTrips() }
    func testUpsertReplacesTheTrial() throws { try checkUpsertReplacesTheTrial() }
    func testTrialsAreOrderedByIndex() throws { try checkTrialsAreOrderedByIndex() }
    func testConfigurationsComeBackInCanonicalForm() throws { try checkConfigurationsComeBackInCanonicalForm() }
    func testUnstorableConfigurationIsRefused() throws { try checkUnstorableConfigurationIsRefused() }
    func testEpochsRoundTripAndReplace() throws { try checkEpochsRoundTripAndReplace() }
    func testEpochsAreOrderedByTrialThenEpoch() throws { try checkEpochsAreOrderedByTrialThenEpoch() }
    func testNonFiniteNumbersRoundTrip() throws { try checkNonFiniteNumbersRoundTrip() }
    func testEpochsAndArtifactsNeedTheirTrial() throws { try checkEpochsAndArtifactsNeedTheirTrial() }
    func testAppendEpochsIsAppendEpochInOrderAndAtomic() throws { try checkAppendEpochsIsAppendEpochInOrderAndAtomic() }
    func testArtifactsAreReplacedByTrialAndKind() throws { try checkArtifactsAreReplacedByTrialAndKind() }
    func testArtifactsCanBeDeleted() throws { try checkArtifactsCanBeDeleted() }
    func testEnsembleIDsAreAssigned() throws { try checkEnsembleIDsAreAssigned() }
    func testEnsemblesRoundTrip() throws { try checkEnsemblesRoundTrip() }
    func testConfigurationRecordsRoundTripReplaceAndRollBack() throws { try checkConfigurationRecordsRoundTripReplaceAndRollBack() }
    func testHealthRoundTripsReplacesAndNeedsItsTrial() throws { try checkHealthRoundTripsReplacesAndNeedsItsTrial() }
    func testTransactionCommitsAndReturnsTheBodysValue() throws { try checkTransactionCommitsAndReturnsTheBodysValue() }
    func testAThrowRollsBackEveryWriteOfTheTransaction() throws { try checkAThrowRollsBackEveryWriteOfTheTransaction() }
    func testNestedTransactions() throws { try checkNestedTransactions() }
    func testAFailedWriteInsideATransactionLeavesTheOthers() throws { try checkAFailedWriteInsideATransactionLeavesTheOthers() }
}

/// Outside its batches the write-behind wrapper must answer as the store it wraps.
final class WriteBehindStoreContractTests: XCTestCase, StoreContract {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "hpsearch-write-behind-contract")
    }

    override func tearDown() {
        directory = nil
    }

    func makeStore() throws -> Store {
        WriteBehindStore(try SQLiteStore(path: directory.file("hpsearch-\(UUID().uuidString).db").path))
    }

    func testEmptyStoreReadsNothing() throws { try checkEmptyStoreReadsNothing() }
    func testSweepIsSetOnce() throws { try checkSweepIsSetOnce() }
    func testTrialsRoundTrip() throws { try checkTrialsRoundTrip() }
    func testEveryTrialStateRoundTrips() throws { try checkEveryTrialStateRoundTrips() }
    func testUpsertReplacesTheTrial() throws { try checkUpsertReplacesTheTrial() }
    func testTrialsAreOrderedByIndex() throws { try checkTrialsAreOrderedByIndex() }
    func testConfigurationsComeBackInCanonicalForm() throws { try checkConfigurationsComeBackInCanonicalForm() }
    func testUnstorableConfigurationIsRefused() throws { try checkUnstorableConfigurationIsRefused() }
    func testEpochsRoundTripAndReplace() throws { try checkEpochsRoundTripAndReplace() }
    func testEpochsAreOrderedByTrialThenEpoch() throws { try checkEpochsAreOrderedByTrialThenEpoch() }
    func testNonFiniteNumbersRoundTrip() throws { try checkNonFiniteNumbersRoundTrip() }
    func testEpochsAndArtifactsNeedTheirTrial() throws { try checkEpochsAndArtifactsNeedTheirTrial() }
    func testAppendEpochsIsAppendEpochInOrderAndAtomic() throws { try checkAppendEpochsIsAppendEpochInOrderAndAtomic() }
    func testArtifactsAreReplacedByTrialAndKind() throws { try checkArtifactsAreReplacedByTrialAndKind() }
    func testArtifactsCanBeDeleted() throws { try checkArtifactsCanBeDeleted() }
    func testEnsembleIDsAreAssigned() throws { try checkEnsembleIDsAreAssigned() }
    func testEnsemblesRoundTrip() throws { try checkEnsemblesRoundTrip() }
    func testConfigurationRecordsRoundTripReplaceAndRollBack() throws { try checkConfigurationRecordsRoundTripReplaceAndRollBack() }
    func testHealthRoundTripsReplacesAndNeedsItsTrial() throws { try checkHealthRoundTripsReplacesAndNeedsItsTrial() }
    func testTransactionCommitsAndReturnsTheBodysValue() throws { try checkTransactionCommitsAndReturnsTheBodysValue() }
    func testAThrowRollsBackEveryWriteOfTheTransaction() throws { try checkAThrowRollsBackEveryWriteOfTheTransaction() }
    func testNestedTransactions() throws { try checkNestedTransactions() }
    func testAFailedWriteInsideATransactionLeavesTheOthers() throws { try checkAFailedWriteInsideATransactionLeavesTheOthers() }
}
