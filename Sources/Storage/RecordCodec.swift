// RecordCodec: the stored form of records, shared by both stores so they answer alike.
//
// SQLite keeps configurations, ensemble weights and environments as JSON text and dates as REAL
// unix seconds. Both conversions lose a little: JSON does not keep `1.0` apart from `1`, so an
// integral `.double` parameter comes back as `.int`; a `Date` through unix seconds can move by
// about 0.2 µs. `InMemoryStore` passes records through the same conversions, so whatever one
// store returns the other returns too, bit for bit.
import Foundation
import Search

struct RecordCodec {
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private let decoder = JSONDecoder()

    // MARK: JSON

    /// JSON text for `value`; `what` names it in the error ("trial 3's configuration").
    func json<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StoreError(StoreMessages.unencodable(what(), value: "\(value)"))
        }
    }

    /// A configuration's JSON text: the same text as `json(_:_:)` writes (sorted keys, integral
    /// doubles without ".0", unescaped slashes), written directly: encoding each new trial's
    /// configuration with JSONEncoder was 9% of rank 0's time at 10,000 workers. Values JSON
    /// cannot hold (NaN, infinities) are the same error as JSONEncoder's.
    func json(_ configuration: Configuration, _ what: @autoclosure () -> String) throws -> String {
        var out = "{"
        for (n, key) in configuration.values.keys.sorted().enumerated() {
            if n > 0 { out += "," }
            JSONText.append(key, to: &out)
            out += ":"
            switch configuration.values[key]! {
            case .int(let i): out += String(i)
            case .bool(let b): out += b ? "true" : "false"
            case .string(let s): JSONText.append(s, to: &out)
            case .double(let d):
                guard d.isFinite else { throw StoreError(StoreMessages.unencodable(what(), value: "\(configuration)")) }
                var text = d.description
                if text.hasSuffix(".0") { text.removeLast(2) }
                out += text
            }
        }
        return out + "}"
    }

    /// The value of JSON text read back from a store; a failure means the stored text is damaged.
    func value<T: Decodable>(_ type: T.Type, json text: String, _ what: @autoclosure () -> String) throws -> T {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(StoreMessages.damaged("\(what()) is not the JSON hpsearch wrote (\(text.prefix(80)))"))
        }
    }

    /// `value` as it comes back from JSON text.
    func roundTrip<T: Codable>(_ value: T, _ what: @autoclosure () -> String) throws -> T {
        try self.value(T.self, json: json(value, what()), what())
    }

    // MARK: Epoch metrics

    /// `metrics` as `name=value;…`, sorted by name; each value in the shortest form that reads
    /// back to the same Double (`nan`, `inf`, `-inf` included).
    static func metricsText(_ metrics: [String: Double]) -> String {
        metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    /// What `metricsText` wrote (entries that do not parse are skipped).
    static func metrics(fromText text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for item in text.split(separator: ";") {
            let parts = item.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    // MARK: Dates

    static func unixSeconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    static func date(unixSeconds: Double) -> Date { Date(timeIntervalSince1970: unixSeconds) }

    /// `date` as it comes back from REAL unix seconds.
    static func roundTrip(_ date: Date) -> Date { self.date(unixSeconds: unixSeconds(date)) }

    // MARK: Canonical records (what a store hands back for what it was given)

    func canonical(_ sweep: SweepRecord) -> SweepRecord {
        var sweep = sweep
        sweep.createdAt = Self.roundTrip(sweep.createdAt)
        return sweep
    }

    func canonical(_ trial: TrialRecord) throws -> TrialRecord {
        var trial = trial
        trial.configuration = try roundTrip(trial.configuration, "trial \(trial.index)'s configuration")
        trial.startedAt = trial.startedAt.map(Self.roundTrip)
        trial.finishedAt = trial.finishedAt.map(Self.roundTrip)
        return trial
    }

    func canonical(_ ensemble: EnsembleRecord) throws -> EnsembleRecord {
        var ensemble = ensemble
        ensemble.weights = try roundTrip(ensemble.weights, "ensemble weights")
        ensemble.createdAt = Self.roundTrip(ensemble.createdAt)
        return ensemble
    }
}

/// Messages both stores give for the contract's own rules (the SQLite store puts its path first).
enum StoreMessages {
    static func sweepConflict(stored: String, given: String) -> String {
        "this store holds sweep '\(stored)', not '\(given)': one sweep per run directory; use a new run directory for '\(given)'"
    }

    static func unknownTrial(_ what: String, trial: Int) -> String {
        "\(what) for trial \(trial), which is not in the store: record the trial (upsertTrial) before its epochs and artifacts"
    }

    static func negativeEnsembleID(_ id: Int) -> String {
        "ensemble id \(id) is negative: pass 0 to have the store assign the next id"
    }

    static func unencodable(_ what: String, value: String) -> String {
        "cannot store \(what) (\(value.prefix(120))): JSON has no NaN or infinity; keep such values out of it"
    }

    static func damaged(_ detail: String) -> String {
        "\(detail): the store is damaged or was edited by hand; restore the run directory from a copy or start a new one"
    }
}
