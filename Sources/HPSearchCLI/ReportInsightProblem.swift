// ReportInsightProblem: why one part of the report's insight could not be had.

/// A sentence for the page saying what is missing or damaged (a prediction file, a checkpoint),
/// so the report renders without that part instead of failing.
struct ReportInsightProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
