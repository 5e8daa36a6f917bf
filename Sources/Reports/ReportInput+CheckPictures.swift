// ReportInput+CheckPictures: reading the pictures `hpsearch check --save RUN_DIR` leaves in
// RUN_DIR/check/ (inputs.png, distributions.svg) for the report's "What the network sees".
import Foundation

extension ReportInput {
    /// Sets `checkInputsPNG` and `checkDistributionsSVG` from `folder`'s inputs.png and
    /// distributions.svg. A file that is missing, unreadable or not what hpsearch writes (a PNG
    /// signature; one `<svg>` element without scripts, DTDs or entities, which the page inlines)
    /// is left out: the report still renders, without it. `folder` nil: nothing.
    mutating func loadCheckPictures(_ folder: URL?) {
        guard let folder else { return }
        if let png = try? Data(contentsOf: folder.appendingPathComponent("inputs.png")),
           png.starts(with: [137, 80, 78, 71, 13, 10, 26, 10]) {
            checkInputsPNG = [UInt8](png)
        }
        if let text = try? String(contentsOf: folder.appendingPathComponent("distributions.svg"), encoding: .utf8) {
            checkDistributionsSVG = Self.inlineableSVG(text)
        }
    }

    /// `text` without an XML declaration when it is one `<svg>…</svg>` element with nothing that
    /// could run or expand in the page (`<script`, `<!`, `<?` inside, `on…=` handlers); else nil.
    static func inlineableSVG(_ text: String) -> String? {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasPrefix("<?xml"), let end = s.range(of: "?>") { s = String(s[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines) }
        let lower = s.lowercased()
        guard lower.hasPrefix("<svg"), lower.hasSuffix("</svg>"), !lower.contains("<script"), !lower.contains("<!"),
              !lower.contains("<?"), lower.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil else { return nil }
        return s + "\n"
    }
}
