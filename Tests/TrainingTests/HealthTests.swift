// Training health: deliberately broken trainings are flagged (vanishing, exploding, dying ReLU,
// a learning rate too high or low) and healthy ones are not; measuring changes nothing.
import NN
import Search
import TensorCore
import XCTest
@testable import Training

final class HealthTests: XCTestCase {
    func train(_ config: TrainingConfig, epochs: Int = 4, data: PreparedData = Fixtures.blobData(),
               prepare: (Trainer) -> Void = { _ in }) throws -> (TrainingResult, [EpochHealth], Trainer) {
        let trainer = try Trainer(config: config, data: data, seed: 5, maxEpochs: epochs)
        prepare(trainer)
        var health: [EpochHealth] = []
        trainer.onHealth = { health.append($0) }
        return (trainer.train(), health, trainer)
    }

    func kinds(_ health: [EpochHealth]) -> Set<HealthFlag.Kind> { Set(HealthRules().flags(health).map(\.kind)) }

    func testAHealthyMLPIsMeasuredEveryEpochAndNotFlagged() throws {
        let (result, health, _) = try train(Fixtures.mlp(width: 32, depth: 2))
        XCTAssertEqual(health.map(\.epoch), [0, 1, 2, 3, 4])
        XCTAssertEqual(health[1].layers.map(\.label), ["0 dense→relu", "2 dense→relu", "4 dense"])
        XCTAssertTrue(health[0].layers.allSatisfy { $0.updateRatio.isNaN }, "no step before epoch 1")
        for h in health.dropFirst() {
            for l in h.layers {
                XCTAssertTrue(l.gradientNorm > 0 && l.weightNorm > 0 && l.updateRatio > 1e-5 && l.updateRatio < 0.1, "\(l)")
            }
        }
        XCTAssertTrue(health[1].layers[0].deadFraction < 0.5)
        XCTAssertEqual(health[0].outputs, 3)
        XCTAssertEqual(health[0].probeCount, HealthProbe.defaultProbeCount)
        let sums = stride(from: 0, to: health[4].probe.count, by: 3).map { health[4].probe[$0..<($0 + 3)].reduce(0, +) }
        XCTAssertTrue(sums.allSatisfy { abs($0 - 1) < 1e-4 }, "probabilities: \(sums)")
        XCTAssertEqual(HealthRules().flags(health), [], "\(HealthRules().flags(health))")
        XCTAssertEqual(result.state, .completed)
    }

    func testMeasuringChangesNothingInTheTraining() throws {
        let config = { () -> TrainingConfig in var c = Fixtures.mlp(width: 16, depth: 2); c.dropout = 0.2; c.batchNorm = true; return c }()
        let plain = try Trainer(config: config, data: Fixtures.blobData(), seed: 9, maxEpochs: 3)
        let a = plain.train()
        let measured = try Trainer(config: config, data: Fixtures.blobData(), seed: 9, maxEpochs: 3)
        var records = 0
        measured.onHealth = { _ in records += 1 }
        let b = measured.train()
        XCTAssertEqual(records, 4, "epoch 0 and three epochs")
        XCTAssertEqual(a.history.map(\.validationLoss), b.history.map(\.validationLoss))
        XCTAssertEqual(a.history.map(\.trainLoss), b.history.map(\.trainLoss))
        XCTAssertEqual(plain.model.parameters.map(\.data), measured.model.parameters.map(\.data))
        XCTAssertEqual(plain.model.namedBuffers.map(\.1.data), measured.model.namedBuffers.map(\.1.data), "batch norm's running statistics")
    }

    func testADeepSigmoidMLPHasVanishingGradients() throws {
        var c = Fixtures.mlp(width: 32, depth: 10, lr: 1e-3)
        c.activation = .sigmoid
        c.initializer = .glorotUniform
        let (_, health, _) = try train(c, epochs: 2)
        XCTAssertTrue(kinds(health).contains(.vanishingGradients), "\(HealthRules().flags(health)); first/last \(health[0].layers.first!.gradientNorm)/\(health[0].layers.last!.gradientNorm)")
        XCTAssertTrue(health[0].layers[0].saturation.isFinite, "sigmoid layers report saturation")
    }

    func testAFarOutputBiasAndLearningRate10Explode() throws {
        var c = Fixtures.mlp(width: 32, depth: 2, lr: 10)
        c.optimizer = .sgd
        let (result, health, _) = try train(c, epochs: 3) { t in
            let output = t.model.layers.compactMap { $0 as? Dense }.last!
            output.bias!.data = [60, -60, 0]   // far from the class priors (a third each)
        }
        XCTAssertEqual(result.state, .diverged)
        let flags = HealthRules().flags(health)
        XCTAssertTrue(flags.contains { $0.kind == .explodingGradients && $0.epoch == 1 }, "\(flags)")
    }

    func testAReLULayerWithAFarNegativeBiasIsDying() throws {
        let (_, health, _) = try train(Fixtures.mlp(width: 32, depth: 2), epochs: 2) { t in
            let first = t.model.layers.compactMap { $0 as? Dense }.first!
            first.bias!.data = [Float](repeating: -40, count: first.bias!.count)
        }
        XCTAssertTrue(health[0].layers[0].deadFraction > 0.9, "\(health[0].layers[0])")
        let flags = HealthRules().flags(health)
        XCTAssertTrue(flags.contains { $0.kind == .dyingReLU && $0.layer == 0 }, "\(flags)")
        XCTAssertFalse(flags.contains { $0.kind == .vanishingGradients || $0.kind == .learningRateTooLow },
                       "no gradient through dead units is dying ReLU, not vanishing gradients or a low learning rate: \(flags)")
    }

    func testATinyLearningRateIsTooLow() throws {
        var c = Fixtures.mlp(width: 32, depth: 2, lr: 1e-7)
        c.optimizer = .sgd
        let (_, health, _) = try train(c, epochs: 1)
        XCTAssertTrue(kinds(health).contains(.learningRateTooLow), "\(HealthRules().flags(health))")
    }

    func testTheRulesOnHandMadeRecords() {
        func layer(_ i: Int, grad: Double, ratio: Double = 1e-3, dead: Double = .nan) -> LayerHealth {
            LayerHealth(layer: i, name: "dense", activation: dead.isNaN ? "" : "relu", parameters: 10, gradientNorm: grad, weightNorm: 1,
                        updateRatio: ratio, activationMean: 0, activationStd: 1, deadFraction: dead)
        }
        let healthy = [EpochHealth(trial: 1, epoch: 0, loss: 1, layers: [layer(0, grad: 1, ratio: .nan), layer(2, grad: 1, ratio: .nan)]),
                       EpochHealth(trial: 1, epoch: 1, loss: 1, layers: [layer(0, grad: 0.5, dead: 0.49), layer(2, grad: 1)])]
        XCTAssertEqual(HealthRules().flags(healthy), [])
        let vanishing = [EpochHealth(trial: 2, epoch: 1, loss: 1, layers: [layer(0, grad: 9e-4), layer(2, grad: 1)])]
        XCTAssertEqual(HealthRules().flags(vanishing).map(\.kind), [.vanishingGradients])
        XCTAssertEqual(HealthRules().flags(vanishing).first?.layer, 0)
        let grown = healthy + [EpochHealth(trial: 1, epoch: 2, loss: 1, layers: [layer(0, grad: 1500), layer(2, grad: 1500)])]
        XCTAssertEqual(HealthRules().flags(grown).map(\.kind), [.explodingGradients])
        var heavy = healthy
        heavy[1].layers[1].weightNorm = 1001
        XCTAssertEqual(HealthRules().flags(heavy).map(\.kind), [.explodingGradients])
        XCTAssertEqual(HealthRules().flags(heavy).first?.layer, 2)
        var zero = vanishing
        zero[0].layers[0].gradientNorm = 0
        XCTAssertEqual(HealthRules().flags(zero), [], "a zero gradient is no flow at all (dead units), not a vanishing one")
        let nan = [EpochHealth(trial: 3, epoch: 1, loss: .nan, layers: [layer(0, grad: .nan), layer(2, grad: 1)])]
        XCTAssertEqual(HealthRules().flags(nan).map(\.kind), [.explodingGradients])
        let high = [EpochHealth(trial: 4, epoch: 1, loss: 1, layers: [layer(0, grad: 1, ratio: 0.2), layer(2, grad: 1, ratio: 0.3)])]
        XCTAssertEqual(HealthRules().flags(high).map(\.kind), [.learningRateTooHigh])
        let dead = [EpochHealth(trial: 5, epoch: 3, loss: 1, layers: [layer(0, grad: 1, dead: 0.5), layer(2, grad: 1)])]
        XCTAssertEqual(HealthRules().flags(dead).map(\.kind), [.dyingReLU])
        XCTAssertTrue(HealthRules().flags(dead)[0].message.contains("50% of layer 0 dense→relu"), HealthRules().flags(dead)[0].message)
    }
}
