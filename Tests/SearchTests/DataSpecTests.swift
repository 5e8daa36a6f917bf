// The data section: npy, npz and csv spellings, and data files checked at parse time.
import Foundation
import Search
import TestSupport
import XCTest

final class DataSpecTests: XCTestCase {
    static let head = "name: s\nmodel: mlp\nbudget: {trials: 1, max_epochs: 1}\nparameters: {}\n"

    func source(_ yaml: String, file: String = "sweeps/s.yaml", check: Bool = false) throws -> DataSource {
        try SweepSpec.parse(yaml: Self.head + yaml, file: file, vocabulary: TestVocabulary.models, checkDataFiles: check).data.source
    }

    func testNPYAndNPZSpellings() throws {
        XCTAssertEqual(try source("data: {source: {npy: {x: d/x.npy, y: d/y.npy}}}"),
                       .npy(x: "sweeps/d/x.npy", y: "sweeps/d/y.npy", testX: nil, testY: nil, testFraction: nil))
        XCTAssertEqual(try source("data: {source: {npy: {x: x.npy, y: y.npy, test_x: tx.npy, test_y: ty.npy}}}"),
                       .npy(x: "sweeps/x.npy", y: "sweeps/y.npy", testX: "sweeps/tx.npy", testY: "sweeps/ty.npy"))
        XCTAssertEqual(try source("data: {source: {npy: {x: x.npy, y: y.npy, test_fraction: 0.3}}}"),
                       .npy(x: "sweeps/x.npy", y: "sweeps/y.npy", testFraction: 0.3))
        XCTAssertEqual(try source("data: {source: {npz: {path: /data/d.npz}}}"), .npz(path: "/data/d.npz"))
        XCTAssertEqual(try source("data: {source: {npz: {path: m.npz, x: x_train, y: y_train.npy, test_x: x_test, test_y: y_test}}}"),
                       .npz(path: "sweeps/m.npz", x: "x_train", y: "y_train", testX: "x_test", testY: "y_test"))
        let spec = try SweepSpec.parse(yaml: Self.head + "data: {source: {npz: {path: d.npz}}}", file: "s.yaml",
                                       vocabulary: TestVocabulary.models)
        XCTAssertEqual(spec.data.validation, .fraction(0.1), "arrays of any size: a fraction, as for CSV")
    }

    func testCategoricalColumns() throws {
        XCTAssertEqual(try source("data: {source: {csv: {path: t.csv, label: y, categorical: [colour, 3]}}}"),
                       .csv(path: "sweeps/t.csv", labels: [.name("y")], testFraction: 0.2, hasHeader: true,
                            categorical: [.name("colour"), .index(3)]))
        XCTAssertEqual(try source("data: {source: {csv: {path: t.csv, label: y}}}"),
                       .csv(path: "sweeps/t.csv", labels: [.name("y")], testFraction: 0.2, hasHeader: true), "none by default")
        XCTAssertThrowsError(try source("data: {source: {csv: {path: t.csv, label: 0, header: false, categorical: [colour]}}}")) { error in
            XCTAssertTrue("\(error)".contains("without a header, name columns by 0-based index"), "\(error)")
        }
    }

    func testMissingDataFilesAreReportedAtTheirLineAndColumn() throws {
        let dir = try TemporaryDirectory(prefix: "data-spec")
        let sweep = dir.file("sweep.yaml").path
        try "a,y\n1,0\n".write(to: dir.file("t.csv"), atomically: true, encoding: .utf8)
        try Data([0]).write(to: dir.file("x.npy"))
        let yaml = Self.head + "data:\n  source:\n    csv: {path: nothing.csv, label: y}\n"
        XCTAssertThrowsError(try SweepSpec.parse(yaml: yaml, file: sweep, vocabulary: TestVocabulary.models, checkDataFiles: true)) { error in
            XCTAssertEqual((error as? SweepSpecError)?.location, SourceLocation(file: sweep, line: 7, column: 17))
            XCTAssertTrue("\(error)".hasPrefix("\(sweep):7:17: data.source.csv.path: no such file '\(dir.file("nothing.csv").path)'"), "\(error)")
        }
        XCTAssertNoThrow(try SweepSpec.parse(yaml: yaml, file: sweep, vocabulary: TestVocabulary.models), "parse does not look by default")
        try (Self.head + "data: {source: {csv: {path: t.csv, label: y}}}\n").write(toFile: sweep, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try SweepSpec.load(path: sweep, vocabulary: TestVocabulary.models))
        XCTAssertNoThrow(try source("data: {source: {npy: {x: x.npy, y: x.npy}}}", file: sweep, check: true))
        for (yaml, message) in [
            ("data: {source: {npy: {x: x.npy, y: y.npy}}}", "data.source.npy.y: no such file"),
            ("data: {source: {npy: {x: x.npy, y: x.npy, test_x: x.npy, test_y: ty.npy}}}", "data.source.npy.test_y: no such file"),
            ("data: {source: {npz: {path: d.npz}}}", "data.source.npz.path: no such file"),
            ("data: {source: {idx: {dir: mnist}}}", "data.source.idx.dir: no such directory"),
            ("data: {source: {idx: {dir: t.csv}}}", "is a file; give the directory"),
            ("data: {source: {csv: {path: ., label: y}}}", "is a directory; give the file"),
        ] {
            XCTAssertThrowsError(try source(yaml, file: sweep, check: true), yaml) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
