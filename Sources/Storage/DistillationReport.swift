// DistillationReport: a distillation's student against its control, the best single model and the
// ensemble, as stored.
import Foundation

/// Student vs control vs best single vs ensemble, on the test split.
public struct DistillationReport: Sendable, Codable, Equatable {
    /// The student picked by the validation metric among the distillation sweep's students.
    public var student: EnsembleEntry
    /// Hard labels only, the same architecture, seed and budget.
    public var control: EnsembleEntry
    public var bestSingle: EnsembleEntry
    public var ensemble: EnsembleEntry
    public var ensembleMethod: String
    public var temperature: Double
    public var alpha: Double
    /// Every student of the sweep: its settings and accuracies (validation picked the student).
    public var students: [StudentResult]
    /// (student − best single) ÷ (ensemble − best single), test accuracy.
    public var keptGain: Double
    /// The ensemble's FLOPs per example ÷ the student's.
    public var costRatio: Double

    public struct StudentResult: Sendable, Codable, Equatable {
        public var trial: Int
        public var temperature: Double
        public var alpha: Double
        public var validationAccuracy: Double
        public var testAccuracy: Double

        public init(trial: Int, temperature: Double, alpha: Double, validationAccuracy: Double, testAccuracy: Double) {
            self.trial = trial
            self.temperature = temperature
            self.alpha = alpha
            self.validationAccuracy = validationAccuracy
            self.testAccuracy = testAccuracy
        }
    }

    public init(student: EnsembleEntry, control: EnsembleEntry, bestSingle: EnsembleEntry, ensemble: EnsembleEntry, ensembleMethod: String, temperature: Double, alpha: Double, students: [StudentResult], keptGain: Double, costRatio: Double) {
        self.student = student
        self.control = control
        self.bestSingle = bestSingle
        self.ensemble = ensemble
        self.ensembleMethod = ensembleMethod
        self.temperature = temperature
        self.alpha = alpha
        self.students = students
        self.keptGain = keptGain
        self.costRatio = costRatio
    }
}
