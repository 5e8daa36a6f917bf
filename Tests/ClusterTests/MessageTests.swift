import Search
import TestSupport
import XCTest
@testable import Cluster

final class MessageTests: XCTestCase {
    func testEveryKindRoundTrips() throws {
        let task = TrialTask(index: 3, configuration: Configuration(["lr": .double(1e-3), "depth": .int(2), "opt": .string("adam"), "bn": .bool(true)]),
                             seed: UInt64.max - 5, maxEpochs: 30)
        let report = EpochRecord(trial: 3, epoch: 2, trainLoss: 0.5, trainAccuracy: 0.8, validationLoss: 0.45, validationAccuracy: 0.82,
                                 learningRate: 1e-3, seconds: 2.5)
        var binary = report
        binary.metrics = ["val_auc": 0.875, "val_f1": 0.8125, "val_é": -1]
        let messages: [Message] = [
            .epoch(binary),
            .hello(host: "node01", pid: 4242), .welcome(file: "sweeps/x.yaml", text: "name: x\n", host: "node01"),
            .welcome(file: "x.yaml", text: "name: x\n", host: "n", payload: [UInt8](repeating: 3, count: 70_000)), .assign(task, state: []), .assign(task, state: [7, 8, 9]), .epoch(report),
            .epochState(trial: 3, epoch: 2, state: [UInt8](repeating: 5, count: 1000)),
            .decision(trial: 3, proceed: false, reason: "ASHA rung 1"), .decision(trial: 4, proceed: true, reason: nil),
            .finished(TrialResult(trial: 3, state: .completed, epochs: 5, bestEpoch: 4, seconds: 9, parameters: 10, flopsPerExample: 20),
                      checkpoint: [1, 2, 3], validationProbabilities: [], testProbabilities: [UInt8](repeating: 9, count: 100_000)),
            .fatal("no data"), .shutdown, .heartbeat,
            .health(EpochHealth(trial: 3, epoch: 0, loss: 2.3, layers: [
                LayerHealth(layer: 1, name: "dense", activation: "relu", parameters: 200_960, gradientNorm: 0.5, weightNorm: 12,
                            updateRatio: 1e-3, activationMean: 0.4, activationStd: 0.6, deadFraction: 0.125, saturation: 0),
                LayerHealth(layer: 4, name: "dense", parameters: 2570, gradientNorm: 0.25, weightNorm: 3, updateRatio: 2e-3,
                            activationMean: 0, activationStd: 1, deadFraction: 0, saturation: 0)], outputs: 2, probe: [0.25, 0.75, 1, 0])),
            .health(EpochHealth(trial: 1, epoch: 7, loss: 0.5, layers: [])),
        ]
        for m in messages { XCTAssertEqual(try Message.decode(m.encoded()), m) }
    }

    func testHealthKeepsNaNAndRefusesDamage() throws {
        let h = EpochHealth(trial: 2, epoch: 0, loss: .nan, layers: [
            LayerHealth(layer: 0, name: "conv2d", activation: "tanh", parameters: 10, gradientNorm: .infinity, weightNorm: 1,
                        activationMean: 0, activationStd: 1)], outputs: 1, probe: [.nan])
        guard case .health(let back) = try Message.decode(Message.health(h).encoded()) else { return XCTFail("not a health message") }
        XCTAssertEqual(back.encoded(), h.encoded())
        XCTAssertTrue(back.loss.isNaN && back.layers[0].updateRatio.isNaN && back.layers[0].deadFraction.isNaN)
        XCTAssertEqual(back.layers[0].gradientNorm, .infinity)
        let bytes = h.encoded()
        XCTAssertThrowsError(try EpochHealth.decode(Array(bytes.dropLast(3)))) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        XCTAssertThrowsError(try EpochHealth.decode(bytes + [0]))
    }

    func testVersionAndTruncationAreClearErrors() throws {
        var bytes = try Message.shutdown.encoded()
        bytes[0] = 99
        XCTAssertThrowsError(try Message.decode(bytes)) { XCTAssertTrue("\($0)".contains("wire version 99"), "\($0)") }
        let full = try Message.fatal("x").encoded()
        XCTAssertThrowsError(try Message.decode(Array(full.dropLast(2)))) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        XCTAssertThrowsError(try Message.decode([Message.version, 200, 0, 0, 0, 0])) { XCTAssertTrue("\($0)".contains("unknown kind"), "\($0)") }
    }
}

final class LocalCommunicatorTests: XCTestCase {
    func testContractAcrossThreads() throws {
        let world = LocalCommunicator.world(size: 4)
        XCTAssertNil(try world[2].poll())
        let group = DispatchGroup()
        let failures = Failures()
        for c in world.dropFirst() {
            DispatchQueue.global().async(group: group) {
                do { try CommunicatorSelfTest.run(c, blobBytes: 1 << 20, stall: 0.6) } catch { failures.add("\(error)") }
            }
        }
        let summary = try CommunicatorSelfTest.run(world[0], blobBytes: 1 << 20, stall: 0.6)
        group.wait()
        XCTAssertEqual(failures.all, [])
        XCTAssertTrue(summary.hasPrefix("4 ranks"), summary)
        XCTAssertTrue(summary.contains("rank 1 stalled 0.6 s mid-message"), summary)
    }

    func testSendingOutsideTheWorldIsAnError() {
        XCTAssertThrowsError(try LocalCommunicator.world(size: 2)[0].send(.shutdown, to: 2))
    }
}
