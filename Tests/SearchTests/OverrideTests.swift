// SweepSpec.applying(overrides:to:): the CLI's `--set name=value`.
import Search
import XCTest

final class OverrideTests: XCTestCase {
    static let yaml = """
    name: o
    model: mlp
    budget: {trials: 4, max_epochs: 2}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2, default: 1.0e-3}
      width:         {distribution: q_log_uniform_values, min: 64, max: 1024, q: 32}
      depth:         {min: 1, max: 3}
      nesterov:      {values: [true, false], when: {optimizer: sgd}}
      momentum:      {distribution: uniform, min: 0.8, max: 0.99, default: 0.9, when: {optimizer: sgd}}
      optimizer:     {values: [adam, sgd], default: adam}
      batch_norm:    {values: [true, false]}
      init:          {values: ["1", "2"]}
      activation:    {values: [relu, gelu, "yes"]}
    """
    private var spec: SweepSpec!

    override func setUpWithError() throws {
        spec = try TestVocabulary.parse(Self.yaml, file: "o.yaml")
    }

    private func apply(_ overrides: [String], to base: Configuration? = nil) throws -> Configuration {
        try spec.applying(overrides: overrides, to: base ?? spec.defaultConfiguration())
    }

    func testValuesAreReadInTheParametersOwnType() throws {
        let config = try apply(["learning_rate=5e-3", "width=512", "depth=3.0", "batch_norm=false", "init=2",
                                "activation=yes", " optimizer = adam "])
        XCTAssertEqual(config["learning_rate"], .double(0.005))
        XCTAssertEqual(config["width"], .int(512))
        XCTAssertEqual(config["depth"], .int(3))
        XCTAssertEqual(config["batch_norm"], .bool(false))
        XCTAssertEqual(config["init"], .string("2"))         // a number in the text, a string in the spec
        XCTAssertEqual(config["activation"], .string("yes")) // a bool in YAML, a string in the spec
        XCTAssertEqual(config["optimizer"], .string("adam"))
        XCTAssertNil(config["momentum"])
        XCTAssertEqual(try apply(["depth=1", "depth=2"])["depth"], .int(2))  // later wins
        XCTAssertEqual(try apply([]), spec.defaultConfiguration())
    }

    func testConditionalParametersFollowTheOverride() throws {
        let sgd = try apply(["optimizer=sgd"])
        XCTAssertEqual(sgd["momentum"], .double(0.9))    // newly active: its default
        XCTAssertEqual(sgd["nesterov"], .bool(true))     // newly active, no default: the first value
        XCTAssertEqual(sgd["depth"], .int(2))

        var tuned = sgd
        tuned["momentum"] = .double(0.95)
        XCTAssertEqual(try apply(["depth=1"], to: tuned)["momentum"], .double(0.95))  // kept from the base

        let adam = try apply(["optimizer=adam"], to: tuned)
        XCTAssertNil(adam["momentum"])
        XCTAssertNil(adam["nesterov"])

        // A conditional parameter may be set together with what enables it, in either order.
        XCTAssertEqual(try apply(["momentum=0.85", "optimizer=sgd"])["momentum"], .double(0.85))
        // Names outside the spec in the base are left alone; missing parameters are filled in.
        let filled = try apply(["depth=3"], to: Configuration(["seed_offset": .int(4)]))
        XCTAssertEqual(filled["seed_offset"], .int(4))
        XCTAssertEqual(filled["learning_rate"], .double(1e-3))
    }

    func testErrorsNameTheParameterOrTheCommandLine() {
        func error(_ overrides: [String]) -> SweepSpecError? {
            do {
                _ = try apply(overrides)
                XCTFail("\(overrides) applied")
                return nil
            } catch {
                return error as? SweepSpecError
            }
        }
        let cli = SourceLocation(file: "--set", line: 0, column: 0)
        let unknown = error(["lerning_rate=0.1"])
        XCTAssertEqual(unknown?.location, cli)
        XCTAssertEqual(unknown?.message, "unknown parameter 'lerning_rate' in 'lerning_rate=0.1'; did you mean "
                       + "'learning_rate'? This sweep's parameters are: learning_rate, width, depth, nesterov, momentum, "
                       + "optimizer, batch_norm, init, activation")
        XCTAssertEqual(error(["depth"])?.description, "--set:0:0: expected NAME=VALUE, got 'depth'")

        XCTAssertEqual(error(["width=100"])?.description,
                       "o.yaml:6:3: --set width=100: 'width' takes a multiple of 32 in [64, 1024] (log scale), got '100'")
        XCTAssertEqual(error(["optimizer=rmsprop"])?.description,
                       "o.yaml:10:3: --set optimizer=rmsprop: 'optimizer' takes one of adam, sgd, got 'rmsprop'")
        XCTAssertEqual(error(["learning_rate=1"])?.location.line, 5)
        XCTAssertEqual(error(["depth="])?.message, "--set depth=: 'depth' takes an integer in [1, 3], got ''")
        XCTAssertEqual(error(["momentum=0.9"])?.description,
                       "o.yaml:9:3: --set momentum=0.9: 'momentum' is inactive because optimizer is adam, not sgd; "
                       + "add --set optimizer=sgd to enable it")
    }
}
