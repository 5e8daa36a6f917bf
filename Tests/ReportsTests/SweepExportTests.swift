import Foundation
@testable import Reports
import Search
import Storage
import XCTest

final class SweepExportTests: XCTestCase {
    let input = ReportFixture.input
    let header = ["trial", "state", "seed", "rank", "param_learning_rate", "param_optimizer", "param_momentum", "param_hidden", "best_value",
                  "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"]

    /// RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks.
    func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        return rows
    }

    /// The expected rows: every epoch, and one row for a trial without epochs.
    var expected: [(trial: TrialRecord, epoch: EpochRecord?)] {
        input.trials.flatMap { t -> [(trial: TrialRecord, epoch: EpochRecord?)] in
            let epochs = input.epochs.filter { $0.trial == t.index }
            return epochs.isEmpty ? [(t, nil)] : epochs.map { (t, $0) }
        }
    }

    func same(_ a: Double?, _ b: Double?, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case let (x?, y?) where x.isNaN: XCTAssertTrue(y.isNaN, "\(y) should be NaN", file: file, line: line)
        default: XCTAssertEqual(a?.bitPattern, b?.bitPattern, "\(String(describing: a)) vs \(String(describing: b))", file: file, line: line)
        }
    }

    func testCSVRoundTrips() throws {
        let rows = parseCSV(SweepExport.render(input, format: .csv))
        XCTAssertEqual(rows.first, header)
        XCTAssertEqual(rows.count - 1, expected.count)
        for (row, want) in zip(rows.dropFirst(), expected) {
            let cell = Dictionary(uniqueKeysWithValues: zip(header, row))
            let t = want.trial
            XCTAssertEqual(cell["trial"], String(t.index))
            XCTAssertEqual(cell["state"], t.state.rawValue)
            XCTAssertEqual(cell["seed"].flatMap { UInt64($0) }, t.seed)
            XCTAssertEqual(cell["rank"], t.rank.map(String.init) ?? "")
            same(Double(cell["param_learning_rate"]!), t.configuration["learning_rate"]?.doubleValue)
            XCTAssertEqual(cell["param_optimizer"], t.configuration["optimizer"]?.stringValue)
            XCTAssertEqual(cell["param_momentum"], t.configuration["momentum"] == nil ? "" : t.configuration["momentum"]!.description)
            XCTAssertEqual(cell["param_hidden"].flatMap { Int($0) }, t.configuration["hidden"]?.intValue)
            same(Double(cell["best_value"]!), t.bestValue)
            if let e = want.epoch {
                XCTAssertEqual(cell["epoch"], String(e.epoch))
                for (key, value) in [("train_loss", e.trainLoss), ("train_accuracy", e.trainAccuracy), ("val_loss", e.validationLoss),
                                     ("val_accuracy", e.validationAccuracy), ("learning_rate", e.learningRate), ("seconds", e.seconds)] {
                    same(Double(cell[key]!), value)
                }
            } else {
                XCTAssertTrue(SweepExport.epochColumns.allSatisfy { cell[$0] == "" })
            }
        }
    }

    // Read with JSONDecoder, which parses doubles exactly; JSONSerialization on Linux can miss the
    // last digit (0.7200000000000001 reads as 0.7200000000000003).
    struct Row: Decodable {
        var trial: Int, state: String, seed: UInt64, rank: Int?
        var param_learning_rate: Double?, param_optimizer: String?, param_momentum: Double?, param_hidden: Int?
        var best_value: Double?, epoch: Int?, train_loss: Double?, train_accuracy: Double?, val_loss: Double?
        var val_accuracy: Double?, learning_rate: Double?, seconds: Double?
    }

    struct Epoch: Decodable {
        var epoch: Int, train_loss: Double?, train_accuracy: Double?, val_loss: Double?, val_accuracy: Double?, learning_rate: Double?, seconds: Double?
    }

    struct Trial: Decodable {
        var trial: Int, state: String, seed: UInt64, rank: Int?, epochs_finished: Int, best_epoch: Int?, best_value: Double?
        var best_val_loss: Double?, best_val_accuracy: Double?, message: String?, started_at: String?, finished_at: String?
        var params: [String: ParameterValue], epochs: [Epoch]
    }

    struct Export: Decodable { var sweep: String, metric: String, goal: String, trials: [Trial] }

    /// A non-finite number is exported as null.
    func same(_ exported: Double?, finiteOrNil want: Double?, file: StaticString = #filePath, line: UInt = #line) {
        same(exported, want?.isFinite == false ? nil : want, file: file, line: line)
    }

    func testJSONLinesRoundTrip() throws {
        let lines = SweepExport.render(input, format: .jsonl).split(separator: "\n")
        XCTAssertEqual(lines.count, expected.count)
        for (line, want) in zip(lines, expected) {
            let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).keys
            XCTAssertEqual(Set(keys), Set(header))
            let row = try JSONDecoder().decode(Row.self, from: Data(line.utf8))
            let t = want.trial
            XCTAssertEqual(row.trial, t.index)
            XCTAssertEqual(row.state, t.state.rawValue)
            XCTAssertEqual(row.seed, t.seed)
            XCTAssertEqual(row.rank, t.rank)
            same(row.param_learning_rate, t.configuration["learning_rate"]?.doubleValue)
            XCTAssertEqual(row.param_optimizer, t.configuration["optimizer"]?.stringValue)
            same(row.param_momentum, t.configuration["momentum"]?.doubleValue)
            XCTAssertEqual(row.param_hidden, t.configuration["hidden"]?.intValue)
            same(row.best_value, finiteOrNil: t.bestValue)
            XCTAssertEqual(row.epoch, want.epoch?.epoch)
            same(row.train_loss, finiteOrNil: want.epoch?.trainLoss)
            same(row.train_accuracy, finiteOrNil: want.epoch?.trainAccuracy)
            same(row.val_loss, finiteOrNil: want.epoch?.validationLoss)
            same(row.val_accuracy, finiteOrNil: want.epoch?.validationAccuracy)
            same(row.learning_rate, finiteOrNil: want.epoch?.learningRate)
            same(row.seconds, finiteOrNil: want.epoch?.seconds)
        }
    }

    func testJSONRoundTrips() throws {
        let export = try JSONDecoder().decode(Export.self, from: Data(SweepExport.render(input, format: .json).utf8))
        XCTAssertEqual(export.sweep, input.sweep.name)
        XCTAssertEqual([export.metric, export.goal], ["val_loss", "minimize"])
        XCTAssertEqual(export.trials.count, input.trials.count)
        let dates = ISO8601DateFormatter()
        dates.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for (exported, t) in zip(export.trials, input.trials) {
            XCTAssertEqual(exported.trial, t.index)
            XCTAssertEqual(exported.state, t.state.rawValue)
            XCTAssertEqual(exported.seed, t.seed)
            XCTAssertEqual(exported.rank, t.rank)
            XCTAssertEqual(exported.epochs_finished, t.epochs)
            XCTAssertEqual(exported.best_epoch, t.bestEpoch)
            same(exported.best_value, finiteOrNil: t.bestValue)
            same(exported.best_val_loss, finiteOrNil: t.bestValidationLoss)
            same(exported.best_val_accuracy, finiteOrNil: t.bestValidationAccuracy)
            XCTAssertEqual(exported.message, t.message)
            XCTAssertEqual(exported.params, t.configuration.values)
            for (text, date) in [(exported.started_at, t.startedAt), (exported.finished_at, t.finishedAt)] {
                let read = try XCTUnwrap(text.flatMap(dates.date(from:)))
                XCTAssertEqual(read.timeIntervalSince1970, try XCTUnwrap(date).timeIntervalSince1970, accuracy: 1e-3)
            }
            let want = input.epochs.filter { $0.trial == t.index }
            XCTAssertEqual(exported.epochs.map(\.epoch), want.map(\.epoch))
            for (e, w) in zip(exported.epochs, want) {
                same(e.train_loss, finiteOrNil: w.trainLoss)
                same(e.train_accuracy, finiteOrNil: w.trainAccuracy)
                same(e.val_loss, finiteOrNil: w.validationLoss)
                same(e.val_accuracy, finiteOrNil: w.validationAccuracy)
                same(e.learning_rate, finiteOrNil: w.learningRate)
                same(e.seconds, finiteOrNil: w.seconds)
            }
        }
    }

    func testEscapingAndEdgeValues() {
        XCTAssertEqual(SweepExport.jsonString("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"")
        XCTAssertEqual(SweepExport.Cell.string("x,\"y\"").csv, "\"x,\"\"y\"\"\"")
        XCTAssertEqual(SweepExport.Cell.string("").csv, "\"\"")
        XCTAssertEqual(SweepExport.Cell.double(.nan).csv, "nan")
        XCTAssertEqual(SweepExport.Cell.double(-.infinity).json, "null")
        XCTAssertEqual(SweepExport.Cell.double(0.1).csv, "0.1")
    }
}
