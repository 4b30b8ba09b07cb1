import DefaultTheme from 'vitepress/theme';
// Imported on the server too (the build renders every page there): it registers nothing there.
import 'ctxgroup-playground';
import 'ctxgroup-playground/ctxgroup-fallback.css';

export default DefaultTheme;
