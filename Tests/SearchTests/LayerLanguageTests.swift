// The layer language of `model: {layers: …}`: the issue's example, both spellings, expressions,
// evaluation, the parse-time checks and the extreme configurations.
@testable import Search
import XCTest

final class LayerLanguageTests: XCTestCase {
    static let example = """
    name: resnet
    model:
      layers:
        - conv2d: {channels: "${channels}", kernel: 3}
        - batch_norm
        - relu
        - repeat: "${blocks}"
          layers:
            - residual:
                - conv2d: {channels: "${channels}", kernel: 3}
                - batch_norm
                - relu
                - conv2d: {channels: "${channels}", kernel: 3}
                - batch_norm
            - relu
        - max_pool: {size: 2}
        - conv2d: {channels: "${channels} * 2", kernel: 3, stride: 1}
        - global_avg_pool
        - dropout: {rate: "${dropout}"}
        - dense: {units: "${width}"}
        - activation: "${activation}"
    budget: {trials: 10, max_epochs: 5}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2}
      channels: {values: [16, 32]}
      blocks: {min: 1, max: 3}
      dropout: {min: 0.0, max: 0.5}
      width: {values: [64, 128]}
      activation: {values: [relu, gelu]}
    """

    /// A sweep whose model is `layers` (indented under `model: layers:`) and whose parameters are `parameters`.
    func sweep(_ layers: String, _ parameters: String = "  learning_rate: {min: 0.001, max: 0.1}") -> String {
        "name: t\nmodel:\n  layers:\n" + layers.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            + "\nbudget: {trials: 4, max_epochs: 2}\nparameters:\n" + parameters + "\n"
    }

    func testIssueExampleParses() throws {
        let spec = try TestVocabulary.parse(Self.example)
        XCTAssertEqual(spec.model, LayerSpec.modelName)
        let layers = try XCTUnwrap(spec.layers)
        XCTAssertEqual(layers.layers.map(\.kind), [.conv2d, .batchNorm, .activation, .repeat, .maxPool, .conv2d,
                                                   .globalAvgPool, .dropout, .dense, .activation])
        XCTAssertEqual(layers.layers[0].location, SourceLocation(file: "test.yaml", line: 4, column: 7))
        XCTAssertEqual(layers.layers[3].children.map(\.kind), [.residual, .activation])
        XCTAssertEqual(layers.layers[3].children[0].children.count, 5)
        XCTAssertEqual(layers.referencedParameters, ["channels", "blocks", "dropout", "width", "activation"])

        let config = Configuration(["channels": .int(32), "blocks": .int(2), "dropout": .double(0.25),
                                    "width": .int(64), "activation": .string("gelu")])
        let concrete = try layers.evaluate(in: config)
        XCTAssertEqual(concrete.count, 3 + 2 * 2 + 6)
        XCTAssertEqual(concrete[0].operation, .conv2d(channels: 32, kernel: 3, stride: 1, padding: .same))
        XCTAssertEqual(concrete[7].operation, .maxPool(size: 2, stride: 2))
        XCTAssertEqual(concrete[8].operation, .conv2d(channels: 64, kernel: 3, stride: 1, padding: .same))
        XCTAssertEqual(concrete[10].operation, .dropout(rate: 0.25))
        XCTAssertEqual(concrete[12].operation, .activation("gelu"))
        guard case .residual(let body) = concrete[3].operation else { return XCTFail("\(concrete[3])") }
        XCTAssertEqual(body.count, 5)

        let lists = try spec.concreteLayerLists()
        // channels 2 values × blocks 1,2,3 × dropout 2 ends × width 2 × activation 2.
        XCTAssertEqual(lists.count, 2 * 3 * 2 * 2 * 2)
        XCTAssertTrue(lists.contains { $0.configuration["blocks"] == .int(3) && $0.layers.count == 3 + 6 + 6 })
    }

    func testBuiltInModelsUnchanged() throws {
        let spec = try TestVocabulary.parse("name: t\nmodel: mlp\nbudget: {trials: 2, max_epochs: 1}\nparameters:\n  width: {values: [8]}\n")
        XCTAssertEqual(spec.model, "mlp")
        XCTAssertNil(spec.layers)
        XCTAssertEqual(try spec.concreteLayerLists(), [])
    }

    func testBothSpellingsAndDefaults() throws {
        let spec = try TestVocabulary.parse(sweep("""
        - flatten
        - flatten: {}
        - dense: {units: 10}
        - tanh
        - activation: leaky_relu
        - layer_norm
        - avg_pool: {size: 3, stride: 1}
        - conv2d: {channels: 4, kernel: 5, stride: 2, padding: valid}
        - conv2d: {channels: 4, kernel: 5, padding: 2}
        - embedding: {vocabulary: 100, dim: 8}
        """))
        let c = try XCTUnwrap(spec.layers).evaluate(in: Configuration()).map(\.operation)
        XCTAssertEqual(c, [.flatten, .flatten, .dense(units: 10), .activation("tanh"), .activation("leaky_relu"), .layerNorm,
                           .avgPool(size: 3, stride: 1), .conv2d(channels: 4, kernel: 5, stride: 2, padding: .valid),
                           .conv2d(channels: 4, kernel: 5, stride: 1, padding: .pixels(2)),
                           .embedding(vocabulary: 100, dim: 8)])
    }

    func expression(_ text: String) throws -> LayerExpression {
        try LayerExpressionParser.parse(text, at: SourceLocation(file: "f", line: 1, column: 10), name: "'x'")
    }

    func value(_ text: String, _ config: [String: ParameterValue] = [:]) throws -> LayerExpression.Result {
        try expression(text).evaluate(in: Configuration(config))
    }

    func testExpressionPrecedenceParenthesesUnaryMinus() throws {
        XCTAssertEqual(try value("1 + 2 * 3"), .number(7))
        XCTAssertEqual(try value("(1 + 2) * 3"), .number(9))
        XCTAssertEqual(try value("10 - 4 - 3"), .number(3))
        XCTAssertEqual(try value("12 / 3 / 2"), .number(2))
        XCTAssertEqual(try value("-2 * -3"), .number(6))
        XCTAssertEqual(try value("--4"), .number(4))
        XCTAssertEqual(try value("-(1 + 2)"), .number(-3))
        XCTAssertEqual(try value("1.5e1 + .5"), .number(15.5))
        XCTAssertEqual(try value("${channels} * 2", ["channels": .int(16)]), .number(32))
        XCTAssertEqual(try value("(${width} + 1) / 2", ["width": .int(64)]), .number(32.5))
        XCTAssertEqual(try value("${ act }", ["act": .string("relu")]), .name("relu"))
        XCTAssertEqual(try value("same"), .name("same"))
        XCTAssertEqual(try expression("${a}*2+1").description, "(${a} * 2) + 1")
        XCTAssertEqual(try expression("  ${a} + ${b}").references.map(\.location.column), [12, 19])
    }

    func testExpressionErrorsPointInsideTheString() {
        func error(_ text: String) -> SweepSpecError? {
            do { _ = try expression(text); return nil } catch { return error as? SweepSpecError }
        }
        let cases: [(String, Int, String)] = [
            ("${a} * ", 17, "ends too early"), ("(${a} + 1", 10, "expected ')'"), ("${a", 10, "is not closed"),
            ("${}", 10, "names no parameter"), ("channels * 2", 10, "write a sampled parameter as ${channels}"),
            ("${a} ${b}", 15, "unexpected '$'"), ("2 ** 3", 13, "unexpected '*'"), ("$a", 10, "must start a parameter"),
            ("", 10, "is empty"), ("1 + #", 14, "unexpected '#'"),
        ]
        for (text, column, message) in cases {
            guard let e = error(text) else { XCTFail("\(text) parsed"); continue }
            XCTAssertEqual(e.location.column, column, "\(text): \(e)")
            XCTAssertTrue(e.message.contains(message), "\(text): \(e)")
        }
    }

    func testEvaluationErrors() {
        XCTAssertThrowsError(try value("1 / (${a} - 2)", ["a": .int(2)])) { XCTAssertTrue("\($0)".contains("by zero")) }
        XCTAssertThrowsError(try value("${a} * 2", ["a": .string("relu")]))
        XCTAssertThrowsError(try value("${a}", [:]))
        let v = LayerValue(expression: try! expression("${w} / 2"), path: "model.layers[0].dense.units",
                           location: SourceLocation(file: "f", line: 3, column: 4))
        XCTAssertEqual(try v.evaluate(as: .count, in: Configuration(["w": .int(64)])), .integer(32))
        XCTAssertThrowsError(try v.evaluate(as: .count, in: Configuration(["w": .int(65)]))) {
            let e = $0 as! SweepSpecError
            XCTAssertEqual(e.location.line, 3)
            XCTAssertTrue(e.message.contains("when w = 65: is 32.5, not a whole number"), e.message)
        }
        XCTAssertThrowsError(try v.evaluate(as: .count, in: Configuration(["w": .int(0)])))
        XCTAssertThrowsError(try v.evaluate(as: .rate, in: Configuration(["w": .int(2)])))
        XCTAssertEqual(try v.evaluate(as: .rate, in: Configuration(["w": .double(0.5)])), .number(0.25))
    }

    func testChecksAtParseTime() {
        func check(_ layers: String, _ line: Int, _ column: Int, _ message: String, file: StaticString = #filePath,
                   lineNo: UInt = #line) {
            check(layers, "  learning_rate: {min: 0.001, max: 0.1}", line, column, message, file: file, lineNo: lineNo)
        }
        func check(_ layers: String, _ parameters: String, _ line: Int, _ column: Int, _ message: String, file: StaticString = #filePath, lineNo: UInt = #line) {
            guard let e = TestVocabulary.error(sweep(layers, parameters)) else {
                return XCTFail("parsed: \(layers)", file: file, line: lineNo)
            }
            XCTAssertEqual("\(e.location.line):\(e.location.column)", "\(line):\(column)", "\(e)", file: file, line: lineNo)
            XCTAssertTrue(e.message.contains(message), "\(e)", file: file, line: lineNo)
        }
        check("- conv: {channels: 8, kernel: 3}", 4, 7, "unknown layer 'conv'; did you mean 'conv2d'?")
        check("- rleu", 4, 7, "unknown layer 'rleu'; did you mean 'relu'?")
        check("- dense: {unit: 8}", 4, 15, "unknown argument 'unit' for dense; did you mean 'units'?")
        check("- dense: {}", 4, 7, "dense is missing its argument 'units'")
        check("- dense", 4, 7, "dense needs its arguments, units")
        check("- dense: {units: \"${widht}\"}", "  width: {values: [8]}", 4, 23, "${widht} names no parameter under 'parameters'; did you mean 'width'?")
        check("- dense: {units: \"${w} *\"}", "  w: {values: [8]}", 4, 29, "ends too early")
        check("- repeat: 2", 4, 7, "repeat needs `layers:` beside it")
        check("- residual: []", 4, 7, "is empty; list the layers whose output is added")
        check("- dense: {units: 0}", 4, 22, "is 0; it must be a whole number ≥ 1")
        check("- dropout: {rate: 1}", 4, 23, "a rate must lie in [0, 1)")
        check("- dense: {units: \"${w} - 8\"}", "  w: {values: [8, 16]}", 4, 22, "when w = 8: is 0")
        check("- dense: {units: 8}", "  width: {values: [8]}", 7, 3, "parameter 'width' is used by no layer")
        check("- dense:\n  units: 8", 5, 7, "'units' is written beside 'dense', not under it")
        check("- activation: swish", 4, 19, "is 'swish', not an activation")
        check("- conv2d: {channels: 8, kernel: 3, padding: sam}", 4, 49, "did you mean 'same'?")
        check("- flatten: {size: 2}", 4, 16, "flatten takes no arguments")
        check("- dense: {units: \"${w}\"}", "  optimizer: {values: [sgd]}\n  w: {values: [1], when: {optimizer: sgd}}", 4, 23,
              "names a parameter with `when`")
    }

    func testStandaloneLayerListForPresets() throws {
        let mlp = try LayerSpec.parse(yaml: """
        - repeat: "${depth}"
          layers:
            - dense: {units: "${width}"}
            - relu
        """, file: "mlp-preset", parameters: ["depth", "width"])
        let layers = try mlp.evaluate(in: Configuration(["depth": .int(2), "width": .int(8)]))
        XCTAssertEqual(layers.map(\.operation), [.dense(units: 8), .activation("relu"), .dense(units: 8), .activation("relu")])
        XCTAssertEqual(layers[0].location, SourceLocation(file: "mlp-preset", line: 3, column: 7))
        XCTAssertThrowsError(try LayerSpec.parse(yaml: "- dense: {units: \"${wdth}\"}", file: "p", parameters: ["width"])) {
            XCTAssertTrue("\($0)".contains("did you mean 'width'?"), "\($0)")
        }
    }

    func testExtremeConfigurationsAreCappedWhenTheProductIsLarge() throws {
        let names = (0..<6).map { "p\($0)" }
        let parameters = names.map { ParameterSpec(name: $0, distribution: .intUniform(min: 1, max: 10)) }
        let spec = LayerSpec(layers: names.map { name in
            LayerNode(kind: .dense, arguments: ["units": LayerValue(
                expression: .parameter(name, SourceLocation(file: "f", line: 1, column: 1)), path: name,
                location: SourceLocation(file: "f", line: 1, column: 1))], location: SourceLocation(file: "f", line: 1, column: 1))
        }, location: SourceLocation(file: "f", line: 1, column: 1))
        let configs = spec.extremeConfigurations(parameters)
        XCTAssertEqual(configs.count, 2 + 6 * 3)  // 4^6 > 1024: all-lowest, all-highest, each other of 1, 2, 9, 10 alone
        XCTAssertTrue(configs.allSatisfy { $0.values.count == 6 })
        XCTAssertEqual(try spec.concreteLayerLists(parameters).count, configs.count)
    }
}
