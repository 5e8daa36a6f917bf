// HTMLReport+Inputs: "What the network sees", the pictures `hpsearch check --save RUN_DIR`
// drew: the first training batch as the model receives it (a PNG embedded as a data: URI, so
// the page stays one offline file) and the inputs' distributions per split (inline SVG).
import Foundation

extension HTMLReport {
    /// The section, or "" when the run directory has neither picture.
    static func inputsSection(_ input: ReportInput) -> String {
        guard input.checkInputsPNG != nil || input.checkDistributionsSVG != nil else { return "" }
        var s = ""
        if let png = input.checkInputsPNG {
            s += "<p><img class=\"inputs\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\" "
                + "alt=\"The first training batch as the model receives it (check/inputs.png)\"/></p>\n"
                + "<p class=\"note\">check/inputs.png: the first training batch of <code>hpsearch train</code> with the check's seed and configuration, "
                + "after standardisation, imputation, one-hot encoding and augmentation, its values mapped linearly to grey over the batch's "
                + "[low, high] (check/inputs.json has them, the labels and the examples' indices). Images: one tile per example, its label under it; "
                + "tables: one row per example, one column per feature, the label to the right.</p>\n"
        }
        if let svg = input.checkDistributionsSVG {
            s += "<div class=\"charts\">\n" + svg + "</div>\n"
                + "<p class=\"note\">check/distributions.svg: each input feature's distribution in the training, validation and test splits, and the labels'.</p>\n"
        }
        return section("What the network sees", s)
    }
}
