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

    func testChromiumRendersTheReport() throws {
        guard let browser = Self.chromium() else {
            throw XCTSkip("Chromium is not installed: `scripts/setup.sh --with-browser` installs it (or set HPSEARCH_CHROMIUM)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpsearch-browser-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html"), shot = dir.appendingPathComponent("report.png")
        try HTMLReport.render(ReportFixture.input).write(to: page, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        // A private profile directory: nothing shared with a user's browser, and no network.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=" + dir.appendingPathComponent("profile").path,
                             "--screenshot=" + shot.path, "--window-size=1200,1600", page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate(); XCTFail("Chromium took over 120 s"); return }
        XCTAssertEqual(process.terminationStatus, 0, "\(browser) failed")

        let image = try PNGImage(contentsOf: shot)
        XCTAssertEqual([image.width, image.height], [1200, 1600], "the screenshot has the window's size")
        let colours = image.distinctColours()
        XCTAssertGreaterThan(colours, 50, "a blank or unstyled page has a handful of colours; the report's charts have many (got \(colours))")
        // Something is drawn in the learning-curve area, not only at the top.
        let lower = image.pixels[(image.pixels.count / 2)...].filter { $0 < 200 }.count
        XCTAssertGreaterThan(lower, 1000, "the lower half of the page is not empty")
    }
}
