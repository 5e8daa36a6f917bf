// The distillation sweep derived from a main sweep: the student's constants, temperature and
// alpha searched, trial 0 the hard-label control, one training seed for every trial.
import XCTest
@testable import Search

final class DistillationSweepTests: XCTestCase {
    let parent = """
    name: main
    seed: 13
    model: mlp
    budget: {trials: 30, max_epochs: 20}
    early_stopping: {patience: 3, min_delta: 0.001, scheduler: {type: asha}}
    parameters:
      width: {values: [64, 128, 256]}
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2}
    distill:
      temperature: {distribution: uniform, min: 2, max: 8}
      alpha: {distribution: uniform, min: 0.5, max: 0.95}
      trials: 4
      epochs: 12
      student: {width: 64}
    """

    func testTheSweepKeepsTheStudentFixedAndSearchesTemperatureAndAlpha() throws {
        let spec = try TestVocabulary.parse(parent)
        let student = DistillationSweep.student(base: Configuration(["width": .int(256), "learning_rate": .double(1e-3)]),
                                                overrides: spec.distill!.student)
        XCTAssertEqual(student, Configuration(["width": .int(64), "learning_rate": .double(1e-3)]))
        let sweep = DistillationSweep(parent: spec, student: student)
        XCTAssertEqual(sweep.spec.budget, Budget(trials: 5, maxEpochs: 12), "4 students and the control, distill.epochs each")
        XCTAssertEqual(sweep.spec.earlyStopping.patience, 3)
        XCTAssertEqual(sweep.spec.earlyStopping.scheduler, .none, "the control gets exactly the students' budget")
        XCTAssertEqual(sweep.spec.text, spec.text, "workers derive the same sweep from the main sweep's text")
        XCTAssertEqual(DistillationSweep(parent: spec, student: student, trials: 2, epochs: 3).spec.budget, Budget(trials: 3, maxEpochs: 3))

        var sampler = sweep.makeSampler()
        let all = try (0..<5).map { try sampler.assignment($0) }
        XCTAssertEqual(all[0].configuration[DistillationSweep.alphaKey], .double(0), "trial 0 is the hard-label control")
        XCTAssertEqual(Set(all.map(\.seed)).count, 1, "one training seed: only the distillation settings differ")
        for a in all.dropFirst() {
            let s = try XCTUnwrap(DistillationSweep.split(a.configuration))
            XCTAssertEqual(s.student, student)
            XCTAssertTrue((2...8).contains(s.temperature) && (0.5...0.95).contains(s.alpha), "\(a.configuration)")
        }
        // Order-independent, like every sampler.
        var backwards = sweep.makeSampler()
        XCTAssertEqual(try (0..<5).reversed().map { try backwards.assignment($0) }.reversed(), all)
        XCTAssertNil(DistillationSweep.split(student), "a configuration without temperature and alpha is no student")
    }

    func testWithoutADistillSectionTheDefaultsApply() throws {
        let spec = try TestVocabulary.parse("name: m\nmodel: mlp\nbudget: {trials: 3, max_epochs: 7}\nparameters: {width: {values: [8, 16]}}\n")
        let sweep = DistillationSweep(parent: spec, student: Configuration(["width": .int(8)]))
        XCTAssertEqual(sweep.spec.budget, Budget(trials: 2, maxEpochs: 7))
        var sampler = sweep.makeSampler()
        let s = try XCTUnwrap(DistillationSweep.split(try sampler.assignment(1).configuration))
        XCTAssertEqual([s.temperature, s.alpha], [4, 0.9])
    }
}
