package org.alagg.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;

/**
 * One bar chart: a group of bars per category (a setup), one bar per series, each category in its own colour and
 * each series in its own shade of it. A bar so much taller than the rest that it would flatten them is cut off
 * at the top of the scale, drawn broken and labelled with its value.
 */
final class BarPanel {
    /** Higher than this many times the next value, a bar is drawn broken. */
    private static final double OFF_SCALE_FACTOR = 3;
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color TEXT = new Color(0x222222);
    /** Between the lines of a category's name. */
    private static final int LINE_HEIGHT = 18;
    /** Between the labels of reference lines that are close together. */
    private static final int REFERENCE_LINE_HEIGHT = 15;

    /**
     * @param lows whisker bottoms, or {@code null} for no whiskers
     * @param light drawn in a lighter shade of the category's colour
     */
    record Series(String name, double[] values, double[] lows, double[] highs, boolean light) {
        double top(int category) {
            return highs == null ? values[category] : Math.max(values[category], highs[category]);
        }
    }

    /** A value to compare the bars with: a dashed line across the panel, labelled on its right; NaN draws nothing. */
    record Reference(String label, double value) {
    }

    private final String title;
    private final String note;
    private final List<String> categories;
    private final List<Color> colours;
    private final List<Series> series;
    private final List<Reference> references;

    /** @param note a smaller line under the title: what the bars, whiskers and lines are */
    BarPanel(String title, String note, List<String> categories, List<Color> colours, List<Series> series,
            List<Reference> references) {
        this.title = title;
        this.note = note;
        this.categories = categories;
        this.colours = colours;
        this.series = series;
        this.references = references;
    }

    void draw(Graphics2D g, Rectangle area) {
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString(title, area.x, area.y + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.drawString(note, area.x, area.y + 40);
        // room on the left for the axis labels, on the right for the reference lines' labels
        int right = references.isEmpty() ? 10 : 110;
        Rectangle plot = new Rectangle(area.x + 70, area.y + 90, area.width - 70 - right, area.height - 140);
        double scale = scale();
        drawGrid(g, plot, scale);
        if (series.size() > 1) {
            drawLegend(g, area.x + area.width, area.y + 40);
        }
        double slot = plot.width / (double) categories.size();
        double barWidth = 0.7 * slot / series.size();
        for (int c = 0; c < categories.size(); c++) {
            double groupLeft = plot.x + c * slot + 0.15 * slot;
            double centre = plot.x + (c + 0.5) * slot;
            int category = c;
            if (series.stream().noneMatch(one -> Double.isFinite(one.values()[category]))) {
                g.setColor(TEXT);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                centred(g, "failed", centre, plot.y + plot.height - 6);
            }
            for (int s = 0; s < series.size(); s++) {
                drawBar(g, plot, scale, c, series.get(s), (int) (groupLeft + s * barWidth), (int) barWidth - 4);
            }
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            List<String> lines = wrap(g.getFontMetrics(), categories.get(c), (int) slot - 6);
            for (int line = 0; line < lines.size(); line++) {
                centred(g, lines.get(line), centre, plot.y + plot.height + 24 + line * LINE_HEIGHT);
            }
        }
        drawReferences(g, plot, scale);
    }

    /** The words of {@code text} on as many lines as it takes, each at most {@code width} wide (or one word). */
    private static List<String> wrap(FontMetrics metrics, String text, int width) {
        List<String> lines = new ArrayList<>();
        String line = "";
        for (String word : text.split(" ")) {
            String longer = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && metrics.stringWidth(longer) > width) {
                lines.add(line);
                line = word;
            } else {
                line = longer;
            }
        }
        lines.add(line);
        return lines;
    }

    /** The top of the value axis: a round number above every value except the broken bars. */
    private double scale() {
        DoubleStream bars = series.stream().flatMapToDouble(s -> IntStream.range(0, categories.size()).mapToDouble(s::top));
        double[] tops = DoubleStream.concat(bars, references.stream().mapToDouble(Reference::value))
                .filter(Double::isFinite).sorted().toArray();
        if (tops.length == 0) {
            return 1;
        }
        int highest = tops.length - 1;
        while (highest > 0 && tops[highest] > OFF_SCALE_FACTOR * tops[highest - 1]) {
            highest--;
        }
        return roundUp(1.15 * tops[highest]);
    }

    private static double roundUp(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private void drawGrid(Graphics2D g, Rectangle plot, double scale) {
        double step = roundUp(scale / 6);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (double tick = 0; tick <= scale * 1.0001; tick += step) {
            int y = y(plot, scale, tick);
            g.setColor(GRID);
            g.drawLine(plot.x, y, plot.x + plot.width, y);
            g.setColor(TEXT);
            String label = String.format(Locale.ROOT, "%,.0f", tick);
            g.drawString(label, plot.x - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        g.setColor(TEXT);
        g.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);
    }

    /** The series' names and shades, right-aligned to {@code right}, on the line {@code baseline}. */
    private void drawLegend(Graphics2D g, int right, int baseline) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int x = right;
        for (int s = series.size() - 1; s >= 0; s--) {
            Series one = series.get(s);
            x -= g.getFontMetrics().stringWidth(one.name()) + 40;
            g.setColor(shade(Color.DARK_GRAY, one.light()));
            g.fillRect(x, baseline - 12, 14, 14);
            g.setColor(TEXT);
            g.drawString(one.name(), x + 20, baseline);
        }
    }

    private void drawBar(Graphics2D g, Rectangle plot, double scale, int category, Series one, int left, int width) {
        double value = one.values()[category];
        if (!Double.isFinite(value)) {
            return;
        }
        int base = plot.y + plot.height;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int top = y(plot, scale, Math.min(value, scale));
        g.setColor(shade(colours.get(category), one.light()));
        g.fillRect(left, top, width, base - top);
        int labelAbove = top;
        if (value > scale) {
            drawBreak(g, left, width, top + (base - top) / 10);
        } else if (one.lows() != null) {
            labelAbove = drawWhisker(g, plot, scale, left + width / 2, one.lows()[category], one.highs()[category]);
        }
        g.setColor(TEXT);
        centred(g, String.format(Locale.ROOT, "%,.0f", value), left + width / 2.0, labelAbove - 6);
    }

    /** Each reference's dashed line; their labels, top to bottom, at least a line apart so that none covers another. */
    private void drawReferences(Graphics2D g, Rectangle plot, double scale) {
        List<Reference> drawn = references.stream().filter(r -> Double.isFinite(r.value()))
                .sorted(Comparator.comparingDouble(Reference::value).reversed()).toList();
        int previousLabel = Integer.MIN_VALUE;
        for (Reference reference : drawn) {
            int y = y(plot, scale, reference.value());
            g.setColor(TEXT);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 5}, 0));
            g.drawLine(plot.x, y, plot.x + plot.width, y);
            g.setStroke(new BasicStroke(1));
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 13));
            int label = Math.max(y + 5, previousLabel + REFERENCE_LINE_HEIGHT);
            g.drawString(reference.label(), plot.x + plot.width + 6, label);
            previousLabel = label;
        }
    }

    /** Two white slants across the bar: it is taller than drawn. */
    private static void drawBreak(Graphics2D g, int left, int width, int y) {
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(3));
        for (int offset : new int[] {0, 9}) {
            g.drawLine(left - 2, y + offset + 6, left + width + 2, y + offset - 6);
        }
        g.setStroke(new BasicStroke(1));
    }

    /** Draws the min-max whisker; returns its top, where the label goes. */
    private static int drawWhisker(Graphics2D g, Rectangle plot, double scale, int x, double low, double high) {
        int bottom = y(plot, scale, Math.min(low, scale));
        int top = y(plot, scale, Math.min(high, scale));
        g.setColor(TEXT);
        g.setStroke(new BasicStroke(2));
        g.drawLine(x, bottom, x, top);
        g.drawLine(x - 8, top, x + 8, top);
        g.drawLine(x - 8, bottom, x + 8, bottom);
        g.setStroke(new BasicStroke(1));
        return top;
    }

    private static int y(Rectangle plot, double scale, double value) {
        return plot.y + plot.height - (int) Math.round(value / scale * plot.height);
    }

    private static Color shade(Color colour, boolean light) {
        if (!light) {
            return colour;
        }
        // halfway to white
        return new Color((colour.getRed() + 255) / 2, (colour.getGreen() + 255) / 2, (colour.getBlue() + 255) / 2);
    }

    private static void centred(Graphics2D g, String text, double x, int baseline) {
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(text, (int) Math.round(x - metrics.stringWidth(text) / 2.0), baseline);
    }
}
