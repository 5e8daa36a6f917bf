// ParameterValue and Configuration: conversions, descriptions, JSON.
import Foundation
import XCTest
@testable import Search

final class ParameterValueTests: XCTestCase {
    func testConversions() {
        XCTAssertEqual(ParameterValue.int(3).doubleValue, 3)
        XCTAssertEqual(ParameterValue.double(3).intValue, 3)
        XCTAssertNil(ParameterValue.double(3.5).intValue)
        XCTAssertNil(ParameterValue.double(1e300).intValue)
        XCTAssertNil(ParameterValue.string("3").intValue)
        XCTAssertNil(ParameterValue.int(3).stringValue)
        XCTAssertEqual(ParameterValue.string("adam").stringValue, "adam")
        XCTAssertEqual(ParameterValue.bool(true).boolValue, true)
        XCTAssertNil(ParameterValue.int(1).boolValue)
    }

    func testDescriptions() {
        XCTAssertEqual(ParameterValue.double(0.001).description, "0.001")
        XCTAssertEqual(ParameterValue.int(64).description, "64")
        let config = Configuration(["optimizer": .string("adam"), "depth": .int(2), "batch_norm": .bool(false)])
        XCTAssertEqual(config.description, "batch_norm=false, depth=2, optimizer=adam")
        XCTAssertEqual(SweepSpecError(location: SourceLocation(file: "s.yaml", line: 3, column: 7), message: "bad").description,
                       "s.yaml:3:7: bad")
    }

    func testJSONRoundTrip() throws {
        let config = Configuration(["lr": .double(0.001), "width": .int(512), "optimizer": .string("adam"),
                                    "batch_norm": .bool(true), "tag": .string("1")])
        let json = try JSONEncoder().encode(config)
        XCTAssertEqual(try JSONDecoder().decode(Configuration.self, from: json), config)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        XCTAssertEqual(object?["width"] as? Int, 512)
        // An integral double comes back as .int; the distribution restores its own form.
        let back = try JSONDecoder().decode(ParameterValue.self, from: JSONEncoder().encode(ParameterValue.double(2)))
        XCTAssertEqual(back, .int(2))
        XCTAssertEqual(Distribution.uniform(min: 0, max: 4).canonical(back), .double(2))
    }
}
