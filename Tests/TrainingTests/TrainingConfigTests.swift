import Search
import XCTest
@testable import Training

final class TrainingConfigTests: XCTestCase {
    func testReadsEveryParameterItKnows() throws {
        let c = try TrainingConfig(model: "mlp", configuration: Configuration([
            "learning_rate": .double(0.01), "optimizer": .string("sgd"), "momentum": .double(0.95), "nesterov": .bool(true),
            "width": .int(64), "depth": .double(3), "dropout": .double(0.25), "batch_norm": .bool(true),
            "activation": .string("gelu"), "init": .string("glorot_uniform"), "batch_size": .int(32), "schedule": .string("cosine"),
        ]))
        XCTAssertEqual(c.model, .mlp)
        XCTAssertEqual(c.learningRate, 0.01)
        XCTAssertEqual(c.optimizer, .sgd)
        XCTAssertEqual(c.momentum, 0.95)
        XCTAssertTrue(c.nesterov)
        XCTAssertEqual(c.width, 64)
        XCTAssertEqual(c.depth, 3)
        XCTAssertEqual(c.activation, .gelu)
        XCTAssertEqual(c.initializer, .glorotUniform)
        XCTAssertEqual(c.schedule, .cosine)
        XCTAssertTrue(c.batchNorm)
    }

    func testRefusesWhatTheTrainerCannotUse() {
        let bad: [(String, String, ParameterValue, String)] = [
            ("mlp", "optimizer", .string("rmsprop"), "expected one of adam, adamw, sgd"),
            ("mlp", "learning_rate", .double(0), "out of range"),
            ("mlp", "width", .double(2.5), "expected an integer"),
            ("mlp", "kernel", .int(3), "does not use it"),
            ("cnn", "kernel", .int(4), "odd kernel"),
            ("cnn", "width", .int(3), "does not use it"),
            ("mlp", "dropout", .double(0.99), "out of range"),
            ("mlp", "batch_norm", .string("yes"), "expected true or false"),
            ("mlp", "colour", .string("red"), "no such parameter"),
        ]
        for (model, name, value, message) in bad {
            XCTAssertThrowsError(try TrainingConfig(model: model, configuration: Configuration([name: value])), "\(name)=\(value)") { error in
                XCTAssertTrue("\(error)".contains(message), "\(name)=\(value): \(error)")
                XCTAssertTrue("\(error)".contains(name))
            }
        }
        XCTAssertThrowsError(try TrainingConfig(model: "transformer", configuration: Configuration()))
    }

    func testVocabularyMatchesWhatSetAccepts() throws {
        for (model, names) in TrainingConfig.vocabulary {
            let kind = try XCTUnwrap(ModelKind(rawValue: model))
            for name in names {
                var c = TrainingConfig(model: kind)
                // Every advertised name is understood (the value may be refused, never the name).
                do { try c.set(name, .int(1)) } catch let e as TrainingConfigError {
                    XCTAssertFalse(e.message.contains("no such parameter") || e.message.contains("does not use"), "\(model).\(name): \(e)")
                }
            }
        }
    }
}
