// Markup: escaping and number formatting shared by the report's HTML and SVG, which must stay
// well-formed XML (the report is XHTML with inline SVG, parsed as XML by the tests).
import Foundation
import Search

enum Markup {
    /// `s` safe inside XML text and quoted attributes: `& < > " '` as entities, and characters XML 1.0
    /// forbids (controls other than tab, LF and CR; lone surrogates cannot occur in a Swift String) as U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A pixel coordinate with one decimal.
    static func px(_ x: Double) -> String { String(format: "%.1f", x) }

    /// A metric or parameter value for people: 4 significant digits, `-` when nil, `NaN`/`inf` spelled out.
    static func value(_ x: Double?) -> String {
        guard let x else { return "-" }
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%.4g", x)
    }

    /// A parameter value for people: doubles to 4 significant digits, others as the sweep file writes them.
    static func value(_ v: ParameterValue?) -> String {
        guard let v else { return "inactive" }
        if case .double(let d) = v { return value(d) }
        return v.description
    }

    /// Seconds as `1 h 02 min`, `3 min 05 s` or `12.3 s`.
    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "-" }
        if s >= 3600 { return String(format: "%d h %02d min", Int(s) / 3600, Int(s) % 3600 / 60) }
        if s >= 60 { return String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60) }
        return String(format: "%.1f s", s)
    }

    /// UTC, to the second: `2026-11-23 10:15:00 UTC`.
    static func date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: d)
    }
}
