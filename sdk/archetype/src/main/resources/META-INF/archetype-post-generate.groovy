// Runs after the project is generated. Maven's archetype plugin checks a property's validationRegex only when it
// asks interactively; here every property given with -D is checked, and a project made from a bad one is removed.
def problems = []
def kind = request.properties.get("kind")
if (!(kind in ["strategy", "scheduler", "transport"])) {
    problems << "-Dkind=${kind}: the archetype makes a reordering strategy (-Dkind=strategy), a link scheduler " +
            "(-Dkind=scheduler) or a link transport (-Dkind=transport); an interceptor follows Alagg's own (docs/plugins.md)"
}
def name = request.properties.get("pluginName")
if (!(name ==~ /[a-z][a-z0-9_-]{0,31}/)) {
    problems << "-DpluginName=${name}: a plugin name is 1-32 lower-case letters, digits, '_' or '-', starting with " +
            "a letter (it defaults to the artifactId)"
}
def className = request.properties.get("className")
if (!(className ==~ /[A-Z][A-Za-z0-9_]*/)) {
    problems << "-DclassName=${className}: a Java class name starting with an upper-case letter"
}
if (problems) {
    new File(request.outputDirectory, request.artifactId).deleteDir()
    throw new IllegalArgumentException("no project generated:\n  " + problems.join("\n  "))
}
