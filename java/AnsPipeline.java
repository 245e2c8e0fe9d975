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
 */
public final class AnsPipeline {
  public static void main(String[] args) throws Exception {
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
    XdmNode current = saxon.newDocumentBuilder().build(new StreamSource(sch));
    for (String step : new String[] {"iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl"}) {
      XsltExecutable exec = saxon.newXsltCompiler().compile(new StreamSource(new File(moteur, step)));
      XsltTransformer transformer = exec.load();
      transformer.setInitialContextNode(current);
      XdmDestination out = new XdmDestination();
      // Includes and the value sets read by document() resolve against the schematron's folder.
      out.setBaseURI(sch.toURI());
      transformer.setDestination(out);
      transformer.transform();
      current = out.getXdmNode();
    }
    XsltExecutable validation = saxon.newXsltCompiler().compile(current.asSource());
    XsltTransformer run = validation.load();
    run.setInitialContextNode(saxon.newDocumentBuilder().build(new StreamSource(doc)));
    XdmDestination svrl = new XdmDestination();
    run.setDestination(svrl);
    run.transform();
    XdmValue failed = saxon.newXPathCompiler().evaluate(
        "count(//*[local-name()='failed-assert'])", svrl.getXdmNode());
    System.out.println("{\"xsdValid\":" + xsdValid + ",\"failedAsserts\":" + failed.itemAt(0).getStringValue() + "}");
  }

  private AnsPipeline() {}
}
