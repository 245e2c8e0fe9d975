import java.io.File;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XdmValue;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;

/**
 * The ANS-style baseline of `npm run bench` (not used to judge anything): what the ANS tool does
 * for one document, in a JVM of its own, as shipped — the CDA schema, then the volet schematron
 * compiled through the ISO skeleton the pack ships (schematrons/moteur: iso_dsdl_include,
 * iso_abstract_expand, iso_svrl_for_xslt2), then run on the document.
 *
 * usage: java -cp <dir>:<Saxon-HE.jar> AnsPipeline <moteur dir> <schematron.sch> <CDA xsd> <document.xml>
 * prints one line: {"xsdValid":true|false,"failedAsserts":N}
 *
 * usage: ... AnsPipeline --warm <moteur dir> <CDA xsd> < lines "schematron.sch<TAB>document.xml"
 * the same, in one JVM, each schematron put through the skeleton and compiled once (what Vigie's
 * architecture would be with the skeleton in place of its own compiler: the weighing in
 * src/cda/README.md); one answer line per document, then {"skeletonMs":…,"compileMs":…,"runMs":…}.
 */
public final class AnsPipeline {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("--warm")) {
      warm(new File(args[1]), new File(args[2]));
      return;
    }
    File moteur = new File(args[0]);
    File sch = new File(args[1]);
    File xsd = new File(args[2]);
    File doc = new File(args[3]);
    boolean xsdValid = true;
    try {
      Validator validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd).newValidator();
      validator.validate(new StreamSource(doc));
    } catch (org.xml.sax.SAXException e) {
      xsdValid = false;
    }
    Processor saxon = new Processor(false);
    XsltExecutable validation = saxon.newXsltCompiler().compile(throughSkeleton(saxon, skeleton(saxon, moteur), sch).asSource());
    String failed = failedAsserts(saxon, validation, doc);
    System.out.println("{\"xsdValid\":" + xsdValid + ",\"failedAsserts\":" + failed + "}");
  }

  /** The skeleton's three stylesheets, compiled. */
  private static XsltExecutable[] skeleton(Processor saxon, File moteur) throws Exception {
    String[] names = {"iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl"};
    XsltExecutable[] steps = new XsltExecutable[names.length];
    for (int i = 0; i < names.length; i++) steps[i] = saxon.newXsltCompiler().compile(new StreamSource(new File(moteur, names[i])));
    return steps;
  }

  /** A schematron through the skeleton's passes: the validating XSLT, as a tree. */
  private static XdmNode throughSkeleton(Processor saxon, XsltExecutable[] steps, File sch) throws Exception {
    XdmNode current = saxon.newDocumentBuilder().build(new StreamSource(sch));
    for (XsltExecutable step : steps) {
      XsltTransformer transformer = step.load();
      transformer.setInitialContextNode(current);
      XdmDestination out = new XdmDestination();
      // Includes and the value sets read by document() resolve against the schematron's folder.
      out.setBaseURI(sch.toURI());
      transformer.setDestination(out);
      transformer.transform();
      current = out.getXdmNode();
    }
    return current;
  }

  /** The number of failed asserts of the SVRL the validating XSLT writes for a document. */
  private static String failedAsserts(Processor saxon, XsltExecutable validation, File doc) throws Exception {
    XsltTransformer run = validation.load();
    run.setInitialContextNode(saxon.newDocumentBuilder().build(new StreamSource(doc)));
    XdmDestination svrl = new XdmDestination();
    run.setDestination(svrl);
    run.transform();
    XdmValue failed = saxon.newXPathCompiler().evaluate("count(//*[local-name()='failed-assert'])", svrl.getXdmNode());
    return failed.itemAt(0).getStringValue();
  }

  private static void warm(File moteur, File xsd) throws Exception {
    javax.xml.validation.Schema schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd);
    Processor saxon = new Processor(false);
    XsltExecutable[] steps = skeleton(saxon, moteur);
    java.util.Map<String, XsltExecutable> compiled = new java.util.HashMap<>();
    long skeletonNs = 0, compileNs = 0, runNs = 0;
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, "UTF-8"));
    for (String line; (line = in.readLine()) != null; ) {
      String[] pair = line.split("\t");
      if (pair.length != 2) continue;
      File sch = new File(pair[0]);
      File doc = new File(pair[1]);
      try {
        long tx = System.nanoTime();
        boolean xsdValid = true;
        try {
          schema.newValidator().validate(new StreamSource(doc));
        } catch (org.xml.sax.SAXException e) {
          xsdValid = false;
        }
        long t0 = System.nanoTime();
        runNs += t0 - tx;
        XsltExecutable validation = compiled.get(pair[0]);
        if (validation == null) {
          XdmNode current = throughSkeleton(saxon, steps, sch);
          long t1 = System.nanoTime();
          skeletonNs += t1 - t0;
          validation = saxon.newXsltCompiler().compile(current.asSource());
          compiled.put(pair[0], validation);
          long t2 = System.nanoTime();
          compileNs += t2 - t1;
          t0 = t2;
        }
        String failed = failedAsserts(saxon, validation, doc);
        runNs += System.nanoTime() - t0;
        System.out.println("{\"xsdValid\":" + xsdValid + ",\"failedAsserts\":" + failed + "}");
      } catch (Exception e) {
        System.out.println("{\"error\":true}");
      }
    }
    System.out.println("{\"skeletonMs\":" + skeletonNs / 1000000 + ",\"compileMs\":" + compileNs / 1000000 + ",\"runMs\":" + runNs / 1000000 + "}");
  }

  private AnsPipeline() {}
}
