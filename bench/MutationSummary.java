import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the PIT and JaCoCo reports the {@code -Pmutation} profile leaves in each module's
 * target/ and prints one line per scope (line and branch coverage, mutation score, strength)
 * and every surviving mutant, so a run can be compared with docs/testing.md.
 *
 * <p>Run from the worktree root after the profile: {@code java bench/MutationSummary.java}
 * (a single-file program; no build needed). Definitions as PIT's: score = detected / all,
 * strength = detected / covered, where detected counts killed and timed-out mutants.
 */
public class MutationSummary {
  record Scope(String name, String module, Predicate<String> packages) {}

  static final List<Scope> SCOPES = List.of(
      new Scope("caps (immutable, mutable, merkle)", "caps",
          p -> p.matches("org\\.cairnfs\\.caps\\.(immutable|mutable|merkle)")),
      new Scope("caps (all)", "caps", p -> true),
      new Scope("protocol", "protocol", p -> true),
      new Scope("storage-server", "storage-server", p -> true),
      new Scope("storage-server store package", "storage-server",
          p -> p.equals("org.cairnfs.storage.store")));

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    System.out.printf("%-36s %7s %7s %9s %9s %8s %8s%n", "scope", "line", "branch", "mutants",
        "detected", "score", "strength");
    Map<String, List<String>> survivors = new LinkedHashMap<>();
    for (Scope s : SCOPES) {
      Path pit = root.resolve(s.module()).resolve("target/pit-reports/mutations.xml");
      Path jacoco = root.resolve(s.module()).resolve("target/site/jacoco/jacoco.xml");
      if (!Files.exists(pit)) {
        System.out.printf("%-36s (no PIT report at %s)%n", s.name(), pit);
        continue;
      }
      long[] lines = coverage(jacoco, s, "LINE");
      long[] branches = coverage(jacoco, s, "BRANCH");
      int all = 0;
      int detected = 0;
      int noCoverage = 0;
      List<String> left = new ArrayList<>();
      NodeList mutations = parse(pit).getElementsByTagName("mutation");
      for (int i = 0; i < mutations.getLength(); i++) {
        Element m = (Element) mutations.item(i);
        String cls = text(m, "mutatedClass");
        String pkg = cls.substring(0, cls.lastIndexOf('.'));
        if (!s.packages().test(pkg)) {
          continue;
        }
        all++;
        String status = m.getAttribute("status");
        if (Boolean.parseBoolean(m.getAttribute("detected"))) {
          detected++;
        } else if (status.equals("NO_COVERAGE")) {
          noCoverage++;
          left.add(line(m, status));
        } else {
          left.add(line(m, status));
        }
      }
      int covered = all - noCoverage;
      System.out.printf("%-36s %7s %7s %9d %9d %8s %8s%n", s.name(), percent(lines),
          percent(branches), all, detected, percent(detected, all), percent(detected, covered));
      if (!s.name().endsWith("(all)")) {
        survivors.putIfAbsent(s.module(), new ArrayList<>());
        for (String l : left) {
          if (!survivors.get(s.module()).contains(l)) {
            survivors.get(s.module()).add(l);
          }
        }
      }
    }
    for (Map.Entry<String, List<String>> e : survivors.entrySet()) {
      System.out.println();
      System.out.println("Undetected in " + e.getKey() + " (" + e.getValue().size() + "):");
      e.getValue().stream().sorted().forEach(l -> System.out.println("  " + l));
    }
  }

  static String line(Element m, String status) {
    String cls = text(m, "mutatedClass");
    return cls.substring(cls.lastIndexOf('.') + 1) + ":" + text(m, "lineNumber") + " "
        + text(m, "mutatedMethod") + " " + status + " " + text(m, "description");
  }

  static long[] coverage(Path jacoco, Scope s, String type) throws Exception {
    long[] missedCovered = {0, 0};
    if (!Files.exists(jacoco)) {
      return null;
    }
    NodeList packages = parse(jacoco).getDocumentElement().getElementsByTagName("package");
    for (int i = 0; i < packages.getLength(); i++) {
      Element p = (Element) packages.item(i);
      if (!s.packages().test(p.getAttribute("name").replace('/', '.'))) {
        continue;
      }
      NodeList children = p.getChildNodes();
      for (int c = 0; c < children.getLength(); c++) {
        if (children.item(c) instanceof Element e && e.getTagName().equals("counter")
            && e.getAttribute("type").equals(type)) {
          missedCovered[0] += Long.parseLong(e.getAttribute("missed"));
          missedCovered[1] += Long.parseLong(e.getAttribute("covered"));
        }
      }
    }
    return missedCovered;
  }

  static Document parse(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  static String text(Element m, String tag) {
    NodeList l = m.getElementsByTagName(tag);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent();
  }

  static String percent(long[] missedCovered) {
    return missedCovered == null ? "-" : percent(missedCovered[1],
        missedCovered[0] + missedCovered[1]);
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format("%.1f%%", 100.0 * part / whole);
  }
}
