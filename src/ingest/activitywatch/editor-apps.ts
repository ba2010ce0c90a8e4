/**
 * Apps whose windows count as engineering work: code editors, IDEs and terminals.
 * aw-watcher-window reports the app as the OS names it: the process name on Windows
 * ("Code.exe"), the application name on macOS ("Code", "iTerm2") and the WM_CLASS on
 * X11 ("code", "jetbrains-idea", "gnome-terminal-server"). Names are compared in lower
 * case without a trailing ".exe" or ".app".
 */
export const EDITOR_APPS: ReadonlySet<string> = new Set([
  // Code editors
  "code",
  "code - insiders",
  "code-insiders",
  "visual studio code",
  "vscodium",
  "codium",
  "cursor",
  "windsurf",
  "zed",
  "sublime_text",
  "sublime text",
  "atom",
  "notepad++",
  "kate",
  "vim",
  "gvim",
  "nvim",
  "neovim",
  "neovide",
  "emacs",
  "helix",
  "lapce",
  // IDEs
  "devenv",
  "visual studio",
  "xcode",
  "android studio",
  "studio64",
  "eclipse",
  "netbeans",
  "netbeans64",
  "intellij idea",
  "idea",
  "idea64",
  "pycharm",
  "pycharm64",
  "webstorm",
  "webstorm64",
  "phpstorm",
  "phpstorm64",
  "goland",
  "goland64",
  "clion",
  "clion64",
  "rider",
  "rider64",
  "rubymine",
  "rubymine64",
  "datagrip",
  "datagrip64",
  "rustrover",
  "rustrover64",
  "fleet",
  // Terminals
  "terminal",
  "iterm2",
  "windowsterminal",
  "windows terminal",
  "cmd",
  "powershell",
  "pwsh",
  "gnome-terminal",
  "gnome-terminal-server",
  "konsole",
  "xterm",
  "urxvt",
  "alacritty",
  "kitty",
  "wezterm",
  "wezterm-gui",
  "ghostty",
  "tilix",
  "terminator",
  "xfce4-terminal",
  "foot",
  "hyper",
  "warp",
  "tabby",
]);

/** X11 window classes of JetBrains IDEs start with this ("jetbrains-idea", "jetbrains-pycharm-ce"). */
const JETBRAINS_CLASS_PREFIX = "jetbrains-";

/** Return whether an aw-watcher-window app name is a code editor, IDE or terminal from EDITOR_APPS. */
export function isEditorApp(app: string): boolean {
  const name = app
    .trim()
    .toLowerCase()
    .replace(/\.(exe|app)$/, "");
  return EDITOR_APPS.has(name) || name.startsWith(JETBRAINS_CLASS_PREFIX);
}
