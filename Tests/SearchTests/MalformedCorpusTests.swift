// The Malformed corpus: every file in Malformed/ is a broken sweep file whose first line says
// where the parser must stop and what it must say: `# expect: LINE:COLUMN: part of the message`
// (0:0 for whole-file errors). Adding a case is adding a file.
import Foundation
import Search
import XCTest

final class MalformedCorpusTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Malformed")

    func testEveryMalformedFileFailsWhereItSays() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 30, "the corpus must hold at least 30 files")
        for name in names {
            let path = Self.directory.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let expectation = Expectation(firstLineOf: text) else {
                XCTFail("\(name): the first line must be `# expect: LINE:COLUMN: message`")
                continue
            }
            do {
                let spec = try SweepSpec.load(path: path, vocabulary: TestVocabulary.models)
                XCTFail("\(name): parsed without error (sweep '\(spec.name)')")
            } catch let error as SweepSpecError {
                XCTAssertEqual(error.location.file, path, name)
                XCTAssertEqual("\(error.location.line):\(error.location.column)",
                               "\(expectation.line):\(expectation.column)", "\(name): \(error)")
                XCTAssertTrue(error.message.contains(expectation.message), "\(name): \(error)\n  expected: \(expectation.message)")
                XCTAssertTrue(error.description.hasPrefix("\(path):\(error.location.line):\(error.location.column): "), name)
                XCTAssertTrue(error.description.contains(name), name)
            } catch {
                XCTFail("\(name): threw \(type(of: error)), not SweepSpecError: \(error)")
            }
        }
    }

    /// `# expect: 12:5: message`.
    private struct Expectation {
        var line: Int, column: Int, message: String

        init?(firstLineOf text: String) {
            guard let first = text.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("# expect: ") else { return nil }
            let parts = first.dropFirst("# expect: ".count).split(separator: ":", maxSplits: 2)
            guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]) else { return nil }
            self.line = line
            self.column = column
            message = parts[2].trimmingCharacters(in: .whitespaces)
        }
    }
}
