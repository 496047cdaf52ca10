import { mount } from 'svelte';
import './ui/app.css';
import App from './ui/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('cachewhy: #app element missing from index.html');
export default mount(App, { target });
