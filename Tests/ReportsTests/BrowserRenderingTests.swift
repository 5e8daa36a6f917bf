// The report in a real browser: headless Chromium screenshots it, and the picture must have the
// requested size and more than a blank page's colours. Skipped, saying why, when Chromium is
// absent (`scripts/setup.sh --with-browser` installs it; HPSEARCH_CHROMIUM names another binary).
import Foundation
import XCTest
@testable import Reports

final class BrowserRenderingTests: XCTestCase {
    static func chromium() -> String? {
        if let path = ProcessInfo.processInfo.environment["HPSEARCH_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "headless_shell"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: d + "/" + name) { return d + "/" + name }
        }
        return nil
    }

    /// Chromium's screenshot of `html` at `width` × `height`.
    func screenshot(_ html: String, width: Int, height: Int) throws -> PNGImage {
        guard let browser = Self.chromium() else {
            throw XCTSkip("Chromium is not installed: `scripts/setup.sh --with-browser` installs it (or set HPSEARCH_CHROMIUM)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpsearch-browser-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html"), shot = dir.appendingPathComponent("report.png")
        try html.write(to: page, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        // A private profile directory: nothing shared with a user's browser, and no network.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=" + dir.appendingPathComponent("profile").path,
                             "--screenshot=" + shot.path, "--window-size=\(width),\(height)", page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate(); throw PNGImage.Failure(description: "Chromium took over 120 s") }
        XCTAssertEqual(process.terminationStatus, 0, "\(browser) failed")
        let image = try PNGImage(contentsOf: shot)
        XCTAssertEqual([image.width, image.height], [width, height], "the screenshot has the window's size")
        return image
    }

    func testChromiumRendersTheReport() throws {
        let image = try screenshot(HTMLReport.render(ReportFixture.input), width: 1200, height: 1600)
        let colours = image.distinctColours()
        XCTAssertGreaterThan(colours, 50, "a blank or unstyled page has a handful of colours; the report's charts have many (got \(colours))")
        // Something is drawn in the learning-curve area, not only at the top.
        let lower = image.pixels[(image.pixels.count / 2)...].filter { $0 < 200 }.count
        XCTAssertGreaterThan(lower, 1000, "the lower half of the page is not empty")
    }

    /// The sections of issue 16 (where the models fail, the first layer, baselines, training
    /// health, prediction dynamics) render too: the page with them alone, drawn, has the heat
    /// maps' viridis colours and the pictures' greys, decoded from their data URIs by the browser.
    func testChromiumRendersTheModelAndHealthSections() throws {
        var input = ReportFixture.input
        input.health = HealthSectionTests.health()
        input.insight = ModelInsight(validation: ModelSectionsTests.view())
        let full = HTMLReport.render(input)
        // Keep the page's head and only the new sections, so they fill the screenshot.
        let head = full.components(separatedBy: "<body>")[0]
        let wanted = ["Where the model fails", "Training health", "Prediction dynamics"].map { "<h2>\($0)</h2>" }
        let sections = full.components(separatedBy: "<section>\n").filter { part in wanted.contains { part.hasPrefix($0) } }
        XCTAssertEqual(sections.count, 3)
        let body: [String] = sections.map { part in "<section>\n" + part.components(separatedBy: "</body>")[0] }
        let html: String = head + "<body>\n" + body.joined() + "</body>\n</html>\n"
        let image = try screenshot(html, width: 1200, height: 2400)
        // Viridis' dark end (68, 1, 84) and yellow end (253, 231, 37), as the heat maps draw them.
        var dark = 0, yellow = 0
        for p in stride(from: 0, to: image.pixels.count - 2, by: image.channels) {
            let (r, g, b) = (Int(image.pixels[p]), Int(image.pixels[p + 1]), Int(image.pixels[p + 2]))
            if abs(r - 68) < 6 && abs(g - 1) < 6 && abs(b - 84) < 6 { dark += 1 }
            if abs(r - 253) < 6 && abs(g - 231) < 6 && abs(b - 37) < 6 { yellow += 1 }
        }
        XCTAssertGreaterThan(dark, 100, "heat-map cells drawn (dark end)")
        XCTAssertGreaterThan(yellow, 100, "heat-map cells drawn (yellow end)")
    }
}
