// The configuration JSON that the SQLite store writes directly must be the text JSONEncoder
// (sorted keys, unescaped slashes) writes, so that stores written before and after read alike.
import Foundation
import Search
import XCTest
@testable import Storage

final class RecordCodecTests: XCTestCase {
    func testConfigurationJSONIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let codec = RecordCodec()
        var generator = SystemRandomNumberGenerator()
        let strings = ["adam", "", "a/b", "quote\"d", "back\\slash", "tab\there", "line\nbreak", "\u{01}\u{1f}", "ünï©ødé", "😀", "\u{7f}"]
        let doubles: [Double] = [0, -0.0, 1, 64, 1e-5, 1e-4, 0.1, 1.0 / 3, 2.5e-300, 1e300, 1e15, 1e16, 123456789.125, -7.25, .leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, 5e-324, 9007199254740993]
        var cases: [Configuration] = [Configuration(), Configuration(["b": .int(1), "a": .int(2), "B": .int(3), "_": .bool(true)])]
        for _ in 0..<2000 {
            var values: [String: ParameterValue] = [:]
            for k in 0..<Int.random(in: 1...6, using: &generator) {
                let name = ["lr", "width", "depth", "opt", "x\(k)", strings.randomElement(using: &generator)!].randomElement(using: &generator)!
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: values[name] = .int(Int.random(in: Int.min...Int.max, using: &generator))
                case 1: values[name] = .double(doubles.randomElement(using: &generator)!)
                case 2: values[name] = .double(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
                case 3: values[name] = .string(strings.randomElement(using: &generator)!)
                default: values[name] = .bool(Bool.random(using: &generator))
                }
            }
            cases.append(Configuration(values))
        }
        var compared = 0
        for c in cases {
            guard c.values.values.allSatisfy({ $0.doubleValue?.isFinite ?? true }) else {
                XCTAssertThrowsError(try codec.json(c, "it")) { XCTAssertTrue("\($0)".contains("it"), "\($0)") }
                continue
            }
            XCTAssertEqual(try codec.json(c, "it"), String(decoding: try encoder.encode(c), as: UTF8.self))
            compared += 1
        }
        XCTAssertGreaterThan(compared, 1000)
    }
}
