import java.io.*;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.*;
import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.Source;
import javax.xml.transform.TransformerException;
import javax.xml.transform.URIResolver;
import javax.xml.transform.sax.SAXSource;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import net.sf.saxon.s9api.*;
import net.sf.saxon.s9api.streams.Steps;
import org.xml.sax.*;

/**
 * Vigie's warm CDA judge. One JSON request per line on stdin, one JSON answer per line on stdout:
 *   {"id":"1","doc":"/abs/doc.xml","xsl":"/abs/compiled.xsl","xsd":"/abs/CDA_extended.xsd"}
 *   → {"id":"1","parseError":null|{"line":n,"message":"…"},"xsdValid":true|false|null,"xsdErrors":[{"line":n,"message":"…"}],
 *      "failures":[{"k":"assert","loc":"…","role":…,"id":…,"p":"…","text":"…","line":n}],"error":null|"…","ms":{…}}
 * Stylesheets (by path and modification time) and the XSD are compiled once. Instance documents are
 * parsed with DOCTYPE refused and no external entity; value-set documents read by document() are
 * parsed once and shared between runs (a file that cannot be read is left to Saxon, which fails as
 * the reference pipeline does).
 */
public class VigieCda {
  static final int MAX_XSD_ERRORS = 200;
  static final int MAX_FAILURES = 20000;

  final Processor proc = new Processor(false);
  {
    String opt = System.getProperty("vigie.opt");
    if (opt != null) proc.setConfigurationProperty(net.sf.saxon.lib.Feature.OPTIMIZATION_LEVEL, opt);
  }
  final Map<String, Schema> xsdCache = new HashMap<>();
  final Map<String, XdmNode> auxDocs = new HashMap<>();

  public static void main(String[] args) throws Exception {
    System.setProperty("jdk.xml.maxElementDepth", "2500");
    Thread t = new Thread(null, () -> {
      try {
        new VigieCda().loop();
      } catch (Throwable e) {
        e.printStackTrace();
        System.exit(3);
      }
    }, "vigie-cda", 1L << 29);
    t.start();
    t.join();
  }

  void loop() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
    out.println("{\"ready\":true,\"saxon\":" + q(proc.getSaxonProductVersion()) + "}");
    out.flush();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.trim().isEmpty()) continue;
      String answer;
      String id = null;
      try {
        Map<String, String> req = Json.parseFlat(line);
        id = req.get("id");
        if ("warm".equals(req.get("op"))) answer = warm(req, false);
        else if ("prepare".equals(req.get("op"))) answer = warm(req, true);
        else answer = handle(req);
      } catch (Throwable e) {
        answer = "{\"id\":" + q(id) + ",\"error\":" + q("internal: " + e) + "}";
      }
      out.println(answer);
      out.flush();
    }
  }

  /** op=warm: compile in the background, answer at once; op=prepare: answer once compiled (or failed). */
  String warm(Map<String, String> req, boolean wait) {
    StringBuilder sb = new StringBuilder("{\"id\":").append(q(req.get("id")));
    try {
      if (req.get("xsl") != null) {
        if (wait) stylesheet(req.get("xsl"));
        else background.submit(stylesheetTask(req.get("xsl")));
      }
      if (req.get("xsd") != null) schema(req.get("xsd"));
      sb.append(",\"error\":null}");
    } catch (Exception e) {
      sb.append(",\"error\":").append(q(msg(e))).append("}");
    }
    return sb.toString();
  }

  static XMLReader secureReader() throws Exception {
    SAXParserFactory f = SAXParserFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setXIncludeAware(false);
    XMLReader r = f.newSAXParser().getXMLReader();
    return r;
  }

  final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.FutureTask<XsltExecutable>> xsl = new java.util.concurrent.ConcurrentHashMap<>();
  final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(null, r, "vigie-cda-compile", 1L << 28);
    t.setDaemon(true);
    return t;
  });

  java.util.concurrent.FutureTask<XsltExecutable> stylesheetTask(String path) {
    File f = new File(path);
    String key = path + "|" + f.lastModified() + "|" + f.length();
    return xsl.computeIfAbsent(key, k -> new java.util.concurrent.FutureTask<>(() -> compileStylesheet(f)));
  }

  /** The compiled stylesheet: compiled here unless the background thread is already at it. */
  XsltExecutable stylesheet(String path) throws Exception {
    java.util.concurrent.FutureTask<XsltExecutable> t = stylesheetTask(path);
    t.run();
    try {
      return t.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception) throw (Exception) c;
      throw new RuntimeException(c);
    }
  }

  XsltExecutable compileStylesheet(File f) throws SaxonApiException {
    XsltCompiler c = proc.newXsltCompiler();
    List<String> errs = new ArrayList<>();
    c.setErrorListener(new javax.xml.transform.ErrorListener() {
      public void warning(TransformerException e) {}
      public void error(TransformerException e) { errs.add(e.getMessageAndLocation()); }
      public void fatalError(TransformerException e) { errs.add(e.getMessageAndLocation()); }
    });
    try {
      return c.compile(new StreamSource(f));
    } catch (SaxonApiException e) {
      throw new SaxonApiException("stylesheet compilation failed: " + (errs.isEmpty() ? e.getMessage() : String.join(" | ", errs.subList(0, Math.min(5, errs.size())))));
    }
  }

  synchronized Schema schema(String path) throws SAXException {
    Schema s = xsdCache.get(path);
    if (s == null) {
      SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
      s = sf.newSchema(new File(path));
      xsdCache.put(path, s);
    }
    return s;
  }

  final URIResolver auxResolver = new URIResolver() {
    public Source resolve(String href, String base) {
      try {
        URI u = base != null && !base.isEmpty() ? new URI(base).resolve(href) : new URI(href);
        if (!"file".equals(u.getScheme())) return null;
        String key = u.normalize().toString();
        XdmNode n = auxDocs.get(key);
        if (n == null) {
          File f = new File(u.normalize());
          if (!f.isFile() || f.length() == 0) return null;
          DocumentBuilder b = proc.newDocumentBuilder();
          InputSource is = new InputSource(f.toURI().toString());
          n = b.build(new SAXSource(secureReader(), is));
          auxDocs.put(key, n);
        }
        return n.getUnderlyingNode();
      } catch (Exception e) {
        return null;
      }
    }
  };

  String handle(Map<String, String> req) {
    String id = req.get("id");
    String docPath = req.get("doc");
    String xsl = req.get("xsl");
    String xsd = req.get("xsd");
    StringBuilder sb = new StringBuilder();
    sb.append("{\"id\":").append(q(id));
    long t0 = System.nanoTime();
    File docFile = new File(docPath);
    // 1. parse (secure)
    XdmNode doc;
    try {
      DocumentBuilder b = proc.newDocumentBuilder();
      b.setLineNumbering(true);
      InputSource is = new InputSource(docFile.toURI().toString());
      doc = b.build(new SAXSource(secureReader(), is));
    } catch (Exception e) {
      int line = -1;
      Throwable c = e;
      while (c != null) {
        if (c instanceof SAXParseException) { line = ((SAXParseException) c).getLineNumber(); break; }
        c = c.getCause();
      }
      sb.append(",\"parseError\":{\"line\":").append(line).append(",\"message\":").append(q(msg(e))).append("}");
      sb.append(",\"xsdValid\":null,\"xsdErrors\":[],\"failures\":[],\"error\":null}");
      return sb.toString();
    }
    long t1 = System.nanoTime();
    sb.append(",\"parseError\":null");
    // 2. XSD
    if (xsd != null) {
      List<String> errs = new ArrayList<>();
      int[] count = {0};
      try {
        Validator v = schema(xsd).newValidator();
        v.setErrorHandler(new ErrorHandler() {
          public void warning(SAXParseException e) {}
          public void error(SAXParseException e) { add(e); }
          public void fatalError(SAXParseException e) { add(e); }
          void add(SAXParseException e) {
            count[0]++;
            if (errs.size() < MAX_XSD_ERRORS) errs.add("{\"line\":" + e.getLineNumber() + ",\"message\":" + q(e.getMessage()) + "}");
          }
        });
        v.validate(new SAXSource(secureReader(), new InputSource(docFile.toURI().toString())));
        sb.append(",\"xsdValid\":").append(count[0] == 0);
      } catch (Exception e) {
        if (count[0] == 0) errs.add("{\"line\":-1,\"message\":" + q(msg(e)) + "}");
        sb.append(",\"xsdValid\":false");
      }
      sb.append(",\"xsdErrors\":[").append(String.join(",", errs)).append("]");
    } else sb.append(",\"xsdValid\":null,\"xsdErrors\":[]");
    long t2 = System.nanoTime();
    // 3. schematron
    String error = null;
    List<String> fails = new ArrayList<>();
    if (xsl != null) {
      try {
        XsltExecutable x = stylesheet(xsl);
        XsltTransformer t = x.load();
        t.setURIResolver(auxResolver);
        t.setInitialContextNode(doc);
        t.setMessageListener((content, terminate, locator) -> {});
        XdmDestination dest = new XdmDestination();
        t.setDestination(dest);
        t.transform();
        XdmNode res = dest.getXdmNode();
        for (XdmItem rItem : res.select(Steps.child("r")).asList()) {
          XdmNode r = (XdmNode) rItem;
          for (XdmItem fi : r.select(Steps.child("f")).asList()) {
            if (fails.size() >= MAX_FAILURES) break;
            XdmNode f = (XdmNode) fi;
            String ix = f.getAttributeValue(new QName("ix"));
            fails.add("{\"k\":" + q(f.getAttributeValue(new QName("k"))) + ",\"p\":" + q(f.getAttributeValue(new QName("p"))) + ",\"id\":" + q(f.getAttributeValue(new QName("id")))
                + ",\"role\":" + q(f.getAttributeValue(new QName("role"))) + ",\"loc\":" + q(f.getAttributeValue(new QName("loc"))) + ",\"line\":" + lineOf(doc, ix) + ",\"text\":" + q(f.getStringValue()) + "}");
          }
        }
      } catch (Exception e) {
        error = msg(e);
      } catch (StackOverflowError e) {
        error = "stack overflow while running the schematron";
      }
    }
    long t3 = System.nanoTime();
    sb.append(",\"failures\":[").append(String.join(",", fails)).append("]");
    sb.append(",\"error\":").append(q(error));
    sb.append(",\"ms\":{\"parse\":").append((t1 - t0) / 1000000).append(",\"xsd\":").append((t2 - t1) / 1000000).append(",\"sch\":").append((t3 - t2) / 1000000).append("}}");
    return sb.toString();
  }

  static int lineOf(XdmNode doc, String ix) {
    if (ix == null || ix.isEmpty()) return -1;
    XdmNode cur = doc;
    for (String s : ix.split("/")) {
      if (s.isEmpty()) continue;
      int n = Integer.parseInt(s);
      int k = 0;
      XdmNode next = null;
      for (XdmItem c : cur.children()) {
        XdmNode cn = (XdmNode) c;
        if (cn.getNodeKind() == XdmNodeKind.ELEMENT && ++k == n) { next = cn; break; }
      }
      if (next == null) return -1;
      cur = next;
    }
    return cur.getLineNumber();
  }

  static String msg(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isEmpty()) m = e.toString();
    return m;
  }

  static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** Just enough JSON: one flat object whose values are strings, numbers, booleans or null. */
  static final class Json {
    static Map<String, String> parseFlat(String s) {
      Map<String, String> m = new HashMap<>();
      int[] i = {skip(s, 0)};
      expect(s, i, '{');
      i[0] = skip(s, i[0]);
      if (s.charAt(i[0]) == '}') return m;
      while (true) {
        i[0] = skip(s, i[0]);
        String k = str(s, i);
        i[0] = skip(s, i[0]);
        expect(s, i, ':');
        i[0] = skip(s, i[0]);
        String v;
        if (s.charAt(i[0]) == '"') v = str(s, i);
        else {
          int st = i[0];
          while (i[0] < s.length() && ",} \t\r\n".indexOf(s.charAt(i[0])) < 0) i[0]++;
          v = s.substring(st, i[0]);
          if (v.equals("null")) v = null;
        }
        m.put(k, v);
        i[0] = skip(s, i[0]);
        char c = s.charAt(i[0]++);
        if (c == '}') return m;
        if (c != ',') throw new IllegalArgumentException("bad JSON");
      }
    }
    static int skip(String s, int i) { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; return i; }
    static void expect(String s, int[] i, char c) { if (s.charAt(i[0]++) != c) throw new IllegalArgumentException("bad JSON: expected " + c); }
    static String str(String s, int[] i) {
      expect(s, i, '"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i[0]++);
        if (c == '"') return b.toString();
        if (c == '\\') {
          char e = s.charAt(i[0]++);
          switch (e) {
            case 'n': b.append('\n'); break;
            case 'r': b.append('\r'); break;
            case 't': b.append('\t'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'u': b.append((char) Integer.parseInt(s.substring(i[0], i[0] + 4), 16)); i[0] += 4; break;
            default: b.append(e);
          }
        } else b.append(c);
      }
    }
  }
}
