// SweepExport: a sweep's trials and epoch metrics as CSV, JSON or JSON Lines, for pandas and
// friends (`hpsearch export`). Pure: formats what it is given.
import Foundation
import Search
import Storage

/// Formats of `hpsearch export`.
///
/// - `csv`: a header, then one row per epoch of every trial (trials by index, epochs in order);
///   a trial with no epoch yet gets one row with empty epoch columns. Columns: `trial, state,
///   seed, rank, param_<name>…, best_value, epoch, train_loss, train_accuracy, val_loss,
///   val_accuracy, learning_rate, seconds`, then the task's further metrics any epoch has, by name
///   (`val_auc, val_f1` for two classes). Parameters come in sweep-file order, then names only
///   trials carry (sorted). An absent value (inactive parameter, no rank or best value yet) is
///   an empty field; numbers are written with the fewest digits that read back to the same
///   Double (`nan`, `inf`, `-inf` for non-finite ones); fields with `,`, `"` or line breaks are
///   quoted, RFC 4180 style.
/// - `jsonl`: the same rows as the CSV, one JSON object per line, with the CSV's keys in its
///   order; absent values and non-finite numbers are `null` (JSON has no NaN).
/// - `json`: one object `{"sweep", "metric", "goal", "trials": [{trial, state, seed, rank, epochs_finished,
///   best_epoch, best_value, best_val_loss, best_val_accuracy, message, started_at, finished_at,
///   "params": {name: value}, "epochs": [{epoch, train_loss, …, seconds}]}]}`; dates are ISO 8601
///   UTC with milliseconds, absent values and non-finite numbers `null`.
public enum SweepExport {
    public enum Format: String, CaseIterable, Sendable {
        case csv, json, jsonl
    }

    /// One value of a row.
    enum Cell: Equatable {
        case null, int(Int), uint(UInt64), double(Double), string(String), bool(Bool)

        init(_ v: ParameterValue?) {
            switch v {
            case nil: self = .null
            case .int(let i)?: self = .int(i)
            case .double(let d)?: self = .double(d)
            case .string(let s)?: self = .string(s)
            case .bool(let b)?: self = .bool(b)
            }
        }

        init(_ d: Double?) { self = d.map(Cell.double) ?? .null }
        init(_ i: Int?) { self = i.map(Cell.int) ?? .null }
        init(_ s: String?) { self = s.map(Cell.string) ?? .null }

        var csv: String {
            switch self {
            case .null: return ""
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            case .double(let d): return d.description
            case .bool(let b): return b ? "true" : "false"
            case .string(let s):
                guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.isEmpty else { return s }
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
        }

        var json: String {
            switch self {
            case .null: return "null"
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            case .double(let d): return d.isFinite ? d.description : "null"
            case .bool(let b): return b ? "true" : "false"
            case .string(let s): return SweepExport.jsonString(s)
            }
        }
    }

    /// The export of `input` in `format`, ending with a newline.
    public static func render(_ input: ReportInput, format: Format) -> String {
        switch format {
        case .csv:
            let (header, rows) = table(input)
            return ([header.map { Cell.string($0).csv }] + rows.map { $0.map(\.csv) }).map { $0.joined(separator: ",") + "\n" }.joined()
        case .jsonl:
            let (header, rows) = table(input)
            return rows.map { object(Array(zip(header, $0))) + "\n" }.joined()
        case .json:
            return json(input)
        }
    }

    /// The sweep file's parameter names in file order, then names only the trials carry, sorted.
    public static func parameterNames(_ input: ReportInput) -> [String] {
        let known = input.spec.parameters.map(\.name)
        return known + Set(input.trials.flatMap(\.configuration.values.keys)).subtracting(known).sorted()
    }

    static let epochColumns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"]

    /// The task's further metrics any epoch has (`val_auc`, `val_f1`, …), sorted: columns after
    /// `seconds`, empty where an epoch lacks them.
    public static func metricNames(_ input: ReportInput) -> [String] {
        Set(input.epochs.flatMap(\.metrics.keys)).sorted()
    }

    static func epochCells(_ e: EpochRecord?, metrics: [String] = []) -> [Cell] {
        guard let e else { return Array(repeating: .null, count: epochColumns.count + metrics.count) }
        return [.int(e.epoch), .double(e.trainLoss), .double(e.trainAccuracy), .double(e.validationLoss),
                .double(e.validationAccuracy), .double(e.learningRate), .double(e.seconds)] + metrics.map { Cell(e.metrics[$0]) }
    }

    /// The header and rows shared by CSV and JSON Lines.
    static func table(_ input: ReportInput) -> (header: [String], rows: [[Cell]]) {
        let names = parameterNames(input)
        let metrics = metricNames(input)
        let header = ["trial", "state", "seed", "rank"] + names.map { "param_" + $0 } + ["best_value"] + epochColumns + metrics
        let byTrial = input.epochsByTrial
        var rows: [[Cell]] = []
        for t in input.trials {
            let head: [Cell] = [.int(t.index), .string(t.state.rawValue), .uint(t.seed), Cell(t.rank)]
                + names.map { Cell(t.configuration[$0]) } + [Cell(t.bestValue)]
            let epochs = byTrial[t.index] ?? []
            for e in epochs.isEmpty ? [nil] : epochs.map(Optional.some) { rows.append(head + epochCells(e, metrics: metrics)) }
        }
        return (header, rows)
    }

    static func json(_ input: ReportInput) -> String {
        let names = parameterNames(input), metrics = metricNames(input)
        let byTrial = input.epochsByTrial
        let dates = ISO8601DateFormatter()
        dates.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let trials = input.trials.map { t -> String in
            let params = names.compactMap { n in t.configuration[n].map { (n, Cell($0)) } }
            let epochs = (byTrial[t.index] ?? []).map { object(Array(zip(epochColumns + metrics, epochCells($0, metrics: metrics)))) }
            let fields: [(String, Cell)] = [
                ("trial", .int(t.index)), ("state", .string(t.state.rawValue)), ("seed", .uint(t.seed)), ("rank", Cell(t.rank)),
                ("epochs_finished", .int(t.epochs)), ("best_epoch", Cell(t.bestEpoch)), ("best_value", Cell(t.bestValue)),
                ("best_val_loss", Cell(t.bestValidationLoss)), ("best_val_accuracy", Cell(t.bestValidationAccuracy)),
                ("message", Cell(t.message)), ("started_at", Cell(t.startedAt.map(dates.string))),
                ("finished_at", Cell(t.finishedAt.map(dates.string))),
            ]
            return String(object(fields).dropLast()) + ",\"params\":" + object(params) + ",\"epochs\":[" + epochs.joined(separator: ",") + "]}"
        }
        return "{\"sweep\":\(jsonString(input.sweep.name)),\"metric\":\(jsonString(input.spec.metric.name)),"
            + "\"goal\":\(jsonString(input.spec.metric.goal.rawValue)),\"trials\":[\n"
            + trials.joined(separator: ",\n") + "\n]}\n"
    }

    static func object(_ fields: [(String, Cell)]) -> String {
        "{" + fields.map { jsonString($0.0) + ":" + $0.1.json }.joined(separator: ",") + "}"
    }

    /// `s` as a JSON string literal.
    static func jsonString(_ s: String) -> String { JSONText.string(s) }
}
